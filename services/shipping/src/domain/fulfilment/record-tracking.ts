import type { EntityManager } from '@mikro-orm/postgresql';
import { ShipmentDeliveredEvent, ShipmentTrackingUpdatedEvent } from '../../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../../lib/events/index.js';
import { ShipmentTracking, type Shipment } from '../../entities/index.js';
import type { TrackingReport } from '../carriers/carrier-adapter.js';
import { eventLinesOf, lockOrderShipments, orderProgressOf } from './order-shipments.js';
import { shipmentStatuses, wireShipmentStatus } from './shipment-status.js';

/**
 * Records what a carrier reported of one shipment, in one transaction under the lock of the
 * order's shipments: each report not recorded yet (by the carrier's key) becomes a tracking entry;
 * the shipment takes the status of each newer report its status table allows, and the report is
 * announced (a report older than the latest entry, one its table refuses, or one after the delivery
 * is kept as history only): shipping.shipment.delivered for the delivery,
 * shipping.shipment.tracking_updated for the rest, with the order's progress at that moment. Answers the entries recorded (0 for news heard before).
 */
export async function recordTracking(
  em: EntityManager,
  shipment: Pick<Shipment, 'id' | 'orderId'>,
  reports: readonly TrackingReport[],
): Promise<number> {
  if (reports.length === 0) return 0;
  return em.transactional(async (tx) => {
    const shipments = await lockOrderShipments(tx, shipment.orderId);
    const locked = shipments.find((s) => s.id === shipment.id);
    if (!locked || locked.status === 'pending' || locked.status === 'cancelled') return 0;
    const entries = await tx.find(ShipmentTracking, { shipment: locked.id });
    const known = new Set(entries.map((entry) => entry.eventKey));
    let latest = Math.max(0, ...entries.map((entry) => entry.occurredAt.getTime()));
    const fresh = reports
      .filter((report) => !known.has(report.key))
      .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    for (const report of fresh) {
      tx.create(ShipmentTracking, {
        shipment: locked,
        status: report.status,
        location: report.location,
        description: report.description,
        occurredAt: report.occurredAt,
        eventKey: report.key,
      });
      const newer = report.occurredAt.getTime() >= latest;
      latest = Math.max(latest, report.occurredAt.getTime());
      if (!newer || locked.status === 'delivered') continue;
      if (report.status !== locked.status) {
        if (!shipmentStatuses.allows(locked.status, report.status)) continue;
        locked.status = report.status;
        if (report.status === 'delivered') locked.deliveredAt = report.occurredAt;
        await tx.flush();
      }
      await announce(tx, locked, report, shipments);
    }
    await tx.flush();
    return fresh.length;
  });
}

async function announce(
  tx: EntityManager,
  shipment: Shipment,
  report: TrackingReport,
  shipments: readonly Shipment[],
): Promise<void> {
  const common = {
    shipmentId: shipment.id,
    orderId: shipment.orderId,
    userId: shipment.userId ?? '',
    trackingNumber: shipment.trackingNumber ?? '',
    ...orderProgressOf(shipments),
  };
  if (report.status === 'delivered') {
    await publishEvent(tx, 'shipping', ShipmentDeliveredEvent, {
      ...common,
      deliveredAt: report.occurredAt,
      lines: await eventLinesOf(tx, shipment.id),
    });
    return;
  }
  await publishEvent(tx, 'shipping', ShipmentTrackingUpdatedEvent, {
    ...common,
    status: wireShipmentStatus(report.status),
    location: report.location ?? '',
    description: report.description,
    occurredAt: report.occurredAt,
  });
}
