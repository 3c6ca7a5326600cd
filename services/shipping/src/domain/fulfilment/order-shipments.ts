import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { Shipment, ShipmentItem } from '../../entities/index.js';

/**
 * Every shipment of an order, oldest first, locked: whatever changes a shipment of an order
 * (a split, a shipping, a tracking entry, a cancellation) takes this lock first, so changes of
 * one order run one after the other and each sees the others' (the order's progress an event
 * announces is never computed from a stale view).
 */
export async function lockOrderShipments(tx: EntityManager, orderId: string): Promise<Shipment[]> {
  return tx.find(
    Shipment,
    { orderId },
    { orderBy: { createdAt: 'asc', id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
}

/** Where the order as a whole stands, from its live (not cancelled) shipments. */
export interface OrderProgress {
  orderFullyShipped: boolean;
  orderFullyDelivered: boolean;
}

export function orderProgressOf(shipments: readonly Shipment[]): OrderProgress {
  const live = shipments.filter((shipment) => shipment.status !== 'cancelled');
  return {
    orderFullyShipped: live.length > 0 && live.every((shipment) => shipment.status !== 'pending'),
    orderFullyDelivered: live.length > 0 && live.every((shipment) => shipment.status === 'delivered'),
  };
}

/** A shipment line as the events carry it. */
export function eventLineOf(item: ShipmentItem) {
  return {
    orderItemId: item.orderItemId,
    productId: item.productId,
    variantId: item.variantId,
    sku: item.sku,
    quantity: item.quantity,
  };
}

/** A shipment's lines as the events carry them. */
export async function eventLinesOf(tx: EntityManager, shipmentId: string) {
  const items = await tx.find(
    ShipmentItem,
    { shipment: shipmentId },
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  return items.map(eventLineOf);
}
