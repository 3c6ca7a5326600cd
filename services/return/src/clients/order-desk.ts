import { status } from '@grpc/grpc-js';
import { OrderServiceClient, OrderStatus, type Order } from '../../../../gen/ecommerce/order/v1/order.js';
import type { ServiceTokenProvider } from '../../../../lib/auth/service-token-source.js';
import type { Env } from '../../../../lib/config/index.js';
import { isAppError } from '../../../../lib/errors.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import type { OrderDesk, OrderFacts } from '../domain/ports.js';

const STATUS_NAMES: Partial<Record<OrderStatus, string>> = {
  [OrderStatus.ORDER_STATUS_PENDING]: 'pending',
  [OrderStatus.ORDER_STATUS_CONFIRMED]: 'confirmed',
  [OrderStatus.ORDER_STATUS_PROCESSING]: 'processing',
  [OrderStatus.ORDER_STATUS_SHIPPED]: 'shipped',
  [OrderStatus.ORDER_STATUS_DELIVERED]: 'delivered',
  [OrderStatus.ORDER_STATUS_CANCELLED]: 'cancelled',
  [OrderStatus.ORDER_STATUS_PARTIALLY_REFUNDED]: 'partially_refunded',
  [OrderStatus.ORDER_STATUS_REFUNDED]: 'refunded',
};

/** The order as the return service needs it; its delivery time is its history's DELIVERED row. */
export function orderFactsOf(order: Order): OrderFacts {
  const delivered = order.history.find((change) => change.status === OrderStatus.ORDER_STATUS_DELIVERED);
  return {
    id: order.id,
    userId: order.userId,
    status: STATUS_NAMES[order.status] ?? 'unknown',
    deliveredAt: delivered?.changedAt,
    currency: order.grandTotal?.currencyCode ?? '',
    grandTotalMinor: order.grandTotal?.amountMinor ?? 0,
    pricesIncludeTax: order.pricesIncludeTax,
    paymentId: order.paymentId,
    lines: order.lines.map((line) => ({
      id: line.id,
      productId: line.productId,
      variantId: line.variantId,
      productName: line.productName,
      sku: line.sku,
      quantity: line.quantity,
      unitPriceMinor: line.unitPrice?.amountMinor ?? 0,
      discountMinor: line.discount?.amountMinor ?? 0,
      taxMinor: line.tax?.amountMinor ?? 0,
    })),
  };
}

/** The order service's GetOrder, asked as this service (breaker-guarded, service token). */
export function orderServiceDesk(
  env: Env,
  serviceToken: ServiceTokenProvider,
): OrderDesk & { close(): void } {
  const client = createServiceClient(OrderServiceClient, 'order', env, { serviceToken });
  return {
    async getOrder(orderId) {
      try {
        const { order } = await client.getOrder({ orderId });
        if (!order) throw new Error(`order service answered GetOrder(${orderId}) without an order`);
        return orderFactsOf(order);
      } catch (error) {
        if (isAppError(error) && error.code === status.NOT_FOUND) return undefined;
        throw error;
      }
    },
    close: () => client.close(),
  };
}
