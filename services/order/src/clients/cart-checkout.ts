import { CartServiceClient, CartStatus } from '../../../../gen/ecommerce/cart/v1/cart.js';
import type { ServiceTokenProvider } from '../../../../lib/auth/service-token-source.js';
import type { Env } from '../../../../lib/config/index.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import { CHECKOUT_CALL_DEADLINE_MS } from '../domain/checkout/checkout-ports.js';
import type { CartPort } from '../domain/checkout/checkout-ports.js';

/** The cart's internal read for the checkout, as this service (the saga runs detached from its caller). */
export function cartServiceCheckout(
  env: Env,
  serviceToken: ServiceTokenProvider,
): CartPort & { close(): void } {
  const client = createServiceClient(CartServiceClient, 'cart', env, {
    serviceToken,
    defaultDeadlineMs: CHECKOUT_CALL_DEADLINE_MS,
  });
  return {
    async checkoutCart(cartId, owner) {
      const { cart } = await client.getCheckoutCart({
        cartId,
        owner:
          'userId' in owner
            ? { $case: 'userId', value: owner.userId }
            : { $case: 'sessionId', value: owner.sessionId },
      });
      if (!cart) throw new Error(`cart service answered GetCheckoutCart(${cartId}) without a cart`);
      return {
        id: cart.id,
        active: cart.status === CartStatus.CART_STATUS_ACTIVE,
        status: CartStatus[cart.status].replace('CART_STATUS_', '').toLowerCase(),
        currency: cart.currencyCode,
        couponCode: cart.couponCode || null,
        lines: cart.lines.map((line) => ({
          itemId: line.itemId,
          productId: line.productId,
          variantId: line.variantId,
          productName: line.productName,
          sku: line.productSku,
          quantity: line.quantity,
          unitPriceMinor: line.unitPrice?.amountMinor ?? 0,
        })),
      };
    },
    close: () => client.close(),
  };
}
