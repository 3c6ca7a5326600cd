import { addressMessageOf } from '../../../../lib/validation/index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  OrderStatus as WireStatus,
  type Order as OrderMessage,
  type OrderNote as NoteMessage,
} from '../../../../gen/ecommerce/order/v1/order.js';
import { OrderItem, OrderNote, OrderStatusHistory, ShippingAddress, type Order } from '../entities/index.js';
import type { OrderStatus } from '../entities/order.js';

/**
 * Who reads an order, as far as the view is concerned: a `customer` (the order's own, signed in or
 * a guest) sees only the notes meant for them; `staff` (admins, platform services) sees them all.
 */
export type OrderReader = 'customer' | 'staff';

const WIRE_STATUS: Record<OrderStatus, WireStatus> = {
  pending: WireStatus.ORDER_STATUS_PENDING,
  confirmed: WireStatus.ORDER_STATUS_CONFIRMED,
  processing: WireStatus.ORDER_STATUS_PROCESSING,
  shipped: WireStatus.ORDER_STATUS_SHIPPED,
  delivered: WireStatus.ORDER_STATUS_DELIVERED,
  cancelled: WireStatus.ORDER_STATUS_CANCELLED,
  partially_refunded: WireStatus.ORDER_STATUS_PARTIALLY_REFUNDED,
  refunded: WireStatus.ORDER_STATUS_REFUNDED,
};

export function wireStatusOf(status: OrderStatus): WireStatus {
  return WIRE_STATUS[status] ?? WireStatus.ORDER_STATUS_UNSPECIFIED;
}

/** The stored status of a contract status (undefined for UNSPECIFIED or an unknown value). */
export function storedStatusOf(status: WireStatus): OrderStatus | undefined {
  return (Object.keys(WIRE_STATUS) as OrderStatus[]).find((stored) => WIRE_STATUS[stored] === status);
}

export function noteMessage(note: OrderNote): NoteMessage {
  return {
    id: note.id,
    note: note.note,
    internal: note.isInternal,
    createdBy: note.createdBy,
    createdAt: note.createdAt,
  };
}

/** One order as its reader may see it: lines, amounts, address, history and notes. */
export async function orderView(em: EntityManager, order: Order, reader: OrderReader): Promise<OrderMessage> {
  const [view] = await orderViews(em, [order], reader);
  return view!;
}

/**
 * Several orders as `orderView` shows each, in the order given, read in four queries whatever
 * their number (lines, addresses, history, notes: each by the orders' ids, on its order_id index).
 */
export async function orderViews(
  em: EntityManager,
  orders: readonly Order[],
  reader: OrderReader,
): Promise<OrderMessage[]> {
  if (orders.length === 0) return [];
  const ids = orders.map((order) => order.id);
  // One after the other: inside the caller's transaction they share its connection anyway, and
  // outside it a view should not hold four of the pool's connections at once.
  const oldestFirst = { orderBy: { createdAt: 'asc', id: 'asc' } } as const;
  const items = await em.find(OrderItem, { order: { $in: ids } }, oldestFirst);
  const addresses = await em.find(ShippingAddress, { order: { $in: ids } });
  const history = await em.find(OrderStatusHistory, { order: { $in: ids } }, oldestFirst);
  const notes = await em.find(
    OrderNote,
    { order: { $in: ids }, ...(reader === 'customer' ? { isInternal: false } : {}) },
    oldestFirst,
  );
  const byOrder = <T extends { order: { id: string } }>(rows: T[]) => {
    const map = new Map<string, T[]>();
    for (const row of rows) map.set(row.order.id, [...(map.get(row.order.id) ?? []), row]);
    return map;
  };
  const itemsOf = byOrder(items);
  const addressOf = byOrder(addresses);
  const historyOf = byOrder(history);
  const notesOf = byOrder(notes);
  return orders.map((order) =>
    messageOf(order, {
      items: itemsOf.get(order.id) ?? [],
      address: addressOf.get(order.id)?.[0],
      history: historyOf.get(order.id) ?? [],
      notes: notesOf.get(order.id) ?? [],
    }),
  );
}

function messageOf(
  order: Order,
  parts: {
    items: OrderItem[];
    address: ShippingAddress | undefined;
    history: OrderStatusHistory[];
    notes: OrderNote[];
  },
): OrderMessage {
  const currencyCode = order.currency;
  const money = (amountMinor: number) => ({ currencyCode, amountMinor });
  const { address } = parts;
  return {
    id: order.id,
    orderNumber: order.orderNumber,
    status: wireStatusOf(order.status),
    userId: order.userId ?? '',
    guestEmail: order.guestEmail ?? '',
    cartId: order.cartId ?? '',
    lines: parts.items.map((item) => ({
      id: item.id,
      productId: item.productId,
      variantId: item.variantId,
      productName: item.productName,
      sku: item.productSku,
      quantity: item.quantity,
      unitPrice: money(item.unitPrice),
      discount: money(item.discountAmount),
      tax: money(item.taxAmount),
      // With tax-inclusive prices the tax is already inside the line's price.
      total: money(order.pricesIncludeTax ? item.totalPrice : item.totalPrice + item.taxAmount),
    })),
    subtotal: money(order.subtotal),
    discountTotal: money(order.discountAmount),
    shippingTotal: money(order.shippingAmount),
    taxTotal: money(order.taxAmount),
    grandTotal: money(order.totalAmount),
    couponCode: order.couponCode ?? '',
    shippingAddress: address && addressMessageOf(address),
    shippingMethodId: order.shippingMethodId ?? '',
    shippingMethodName: order.shippingMethodName ?? '',
    paymentId: order.paymentId ?? '',
    cancellationReason: order.status === 'cancelled' ? (order.cancellationReason ?? '') : '',
    history: parts.history.map((change) => ({
      status: wireStatusOf(change.status),
      previousStatus: change.previousStatus
        ? wireStatusOf(change.previousStatus)
        : WireStatus.ORDER_STATUS_UNSPECIFIED,
      changedBy: change.changedBy,
      reason: change.reason ?? '',
      changedAt: change.createdAt,
    })),
    notes: parts.notes.map(noteMessage),
    createdAt: order.createdAt,
    confirmedAt: order.confirmedAt ?? undefined,
    cancelledAt: order.status === 'cancelled' ? (order.cancelledAt ?? undefined) : undefined,
    pricesIncludeTax: order.pricesIncludeTax,
  };
}
