import { OrderServiceClient } from '../../../../gen/ecommerce/order/v1/order.js';
import type { ServiceTokenProvider } from '../../../../lib/auth/service-token-source.js';
import type { Env } from '../../../../lib/config/index.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import type { ShipmentApproval } from '../domain/fulfilment/shipment-approval.js';

/** The order service's ApproveShipment, asked as this service through the breaker-guarded client. */
export function orderServiceApproval(
  env: Env,
  serviceToken: ServiceTokenProvider,
): ShipmentApproval & { close(): void } {
  const client = createServiceClient(OrderServiceClient, 'order', env, { serviceToken });
  return {
    async approve(orderId) {
      await client.approveShipment({ orderId });
    },
    close: () => client.close(),
  };
}
