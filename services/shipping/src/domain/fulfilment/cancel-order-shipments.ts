import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderCancelled } from '../../../../../gen/ecommerce/order/v1/events.js';
import { isUuid } from '../../../../../lib/ids.js';
import { lockOrderShipments } from './order-shipments.js';
import { shipmentStatuses } from './shipment-status.js';

/**
 * On order.order.cancelled: every shipment of the order not yet handed to a carrier is cancelled
 * (one already shipped is the carrier's: it stays as it is). An order without shipments (cancelled
 * during its checkout, before any confirmation) has nothing to cancel.
 */
export async function cancelOrderShipments(tx: EntityManager, event: OrderCancelled): Promise<void> {
  if (!isUuid(event.orderId)) return;
  const shipments = await lockOrderShipments(tx, event.orderId);
  const cancelledAt = event.cancelledAt ?? new Date();
  for (const shipment of shipments) {
    if (!shipmentStatuses.allows(shipment.status, 'cancelled')) continue;
    shipment.status = 'cancelled';
    shipment.cancelledAt = cancelledAt;
  }
  await tx.flush();
}
