import { ShippingServiceClient } from '../../../../gen/ecommerce/shipping/v1/shipping.js';
import type { ServiceTokenProvider } from '../../../../lib/auth/service-token-source.js';
import type { Env } from '../../../../lib/config/index.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import { CHECKOUT_CALL_DEADLINE_MS } from '../domain/checkout/checkout-ports.js';
import type { ShippingPort } from '../domain/checkout/checkout-ports.js';

/** The shipping service's confirmation of a method's price, asked as this service. */
export function shippingServiceDesk(
  env: Env,
  serviceToken: ServiceTokenProvider,
): ShippingPort & { close(): void } {
  const client = createServiceClient(ShippingServiceClient, 'shipping', env, {
    serviceToken,
    defaultDeadlineMs: CHECKOUT_CALL_DEADLINE_MS,
  });
  return {
    async confirm({ methodId, address, lines, subtotal }) {
      const { option } = await client.confirmShippingMethod({
        methodId,
        destination: address,
        lines: lines.map((line) => ({
          productId: line.productId,
          variantId: line.variantId,
          quantity: line.quantity,
        })),
        subtotal,
      });
      if (!option?.price)
        throw new Error(`shipping service answered ConfirmShippingMethod(${methodId}) without a price`);
      return { methodName: option.name, price: option.price };
    },
    close: () => client.close(),
  };
}
