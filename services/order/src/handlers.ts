import type { MikroORM } from '@mikro-orm/postgresql';
import { OrderServiceService } from '../../../gen/ecommerce/order/v1/order.js';
import { allow } from '../../../lib/auth/access-rule.js';
import { accountIdOf, callerHolds, kindOf, type Principal } from '../../../lib/auth/principal.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import { addOrderNote } from './domain/add-order-note.js';
import { approveShipment } from './domain/approve-shipment.js';
import { cancelOrder, type CancelOrderDeps } from './domain/checkout/cancel-order.js';
import { placeOrder, type PlaceOrderDeps } from './domain/checkout/place-order.js';
import { getGuestOrder } from './domain/get-guest-order.js';
import { getOrder, type OrderAccess } from './domain/get-order.js';
import { listMyOrders, listOrders } from './domain/list-orders.js';
import { updateOrderStatus } from './domain/update-order-status.js';

export const ORDER_READ = 'order:read';
export const ORDER_WRITE = 'order:write';

/**
 * What a caller of GetOrder reaches: a platform service, or an account holding 'order:read', any
 * order; any other account its own.
 */
function orderAccessOf(principal: Principal | undefined): OrderAccess {
  if (principal && kindOf(principal) === 'service') return { reader: 'staff' };
  if (callerHolds(principal, ORDER_READ)) return { reader: 'staff' };
  return { reader: 'customer', userId: accountIdOf(principal) };
}

/**
 * The order RPCs. Customers reach their own orders (another's is NOT_FOUND), guests theirs by
 * order number and email, staff every order through 'order:read' / 'order:write'.
 */
export function orderHandlers(
  orm: MikroORM,
  checkout: { placing: PlaceOrderDeps; cancelling: CancelOrderDeps },
): ServiceHandlers<typeof OrderServiceService> {
  return {
    placeOrder: {
      access: allow.guestOrAccount(),
      handle: async (request, ctx) => {
        const shopper = ctx.principal ? { userId: accountIdOf(ctx.principal) } : null;
        return { order: await placeOrder(checkout.placing, shopper, request) };
      },
    },
    cancelOrder: {
      access: allow.account(),
      handle: async (request, ctx) => {
        const userId = accountIdOf(ctx.principal);
        const kind = callerHolds(ctx.principal, ORDER_WRITE) ? 'staff' : 'customer';
        return { order: await cancelOrder(checkout.cancelling, { kind, userId }, request) };
      },
    },
    approveShipment: {
      access: allow.internal(),
      handle: async (request) => {
        await approveShipment(orm.em.fork(), request);
        return {};
      },
    },
    getOrder: {
      access: allow.anyOf(allow.account(), allow.internal()),
      handle: async (request, ctx) => ({
        order: await getOrder(orm.em.fork(), orderAccessOf(ctx.principal), request.orderId),
      }),
    },
    getGuestOrder: {
      access: allow.public(),
      handle: async (request) => ({
        order: await getGuestOrder(orm.em.fork(), { orderNumber: request.orderNumber, email: request.email }),
      }),
    },
    listMyOrders: {
      access: allow.account(),
      handle: async (request, ctx) => {
        const { orders, nextPageToken } = await listMyOrders(
          orm.em.fork(),
          accountIdOf(ctx.principal),
          request.page,
        );
        return { orders, page: { nextPageToken } };
      },
    },
    listOrders: {
      access: allow.permission(ORDER_READ),
      handle: async (request) => {
        const { orders, nextPageToken } = await listOrders(orm.em.fork(), request);
        return { orders, page: { nextPageToken } };
      },
    },
    updateOrderStatus: {
      access: allow.permission(ORDER_WRITE),
      handle: async (request, ctx) => {
        const { order } = await updateOrderStatus(orm.em.fork(), {
          orderId: request.orderId,
          status: request.status,
          reason: request.reason,
          changedBy: accountIdOf(ctx.principal),
        });
        return { order };
      },
    },
    addOrderNote: {
      access: allow.permission(ORDER_WRITE),
      handle: async (request, ctx) => ({
        note: await addOrderNote(orm.em.fork(), {
          orderId: request.orderId,
          note: request.note,
          internal: request.internal,
          createdBy: accountIdOf(ctx.principal),
        }),
      }),
    },
  };
}
