import { ShipmentStatus as WireStatus } from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { StateMachine } from '../../../../../lib/state-machine.js';
import type { ShipmentStatus } from '../../entities/shipment.js';

/**
 * The allowed status changes of a shipment: pending until it is handed to a carrier (or cancelled
 * with its order); then as the carrier reports it, delivered being final. The tracking entries are
 * its history.
 */
export const shipmentStatuses = new StateMachine<ShipmentStatus>('shipment', {
  pending: ['shipped', 'cancelled'],
  shipped: ['in_transit', 'out_for_delivery', 'delivered', 'exception'],
  in_transit: ['out_for_delivery', 'delivered', 'exception'],
  out_for_delivery: ['in_transit', 'delivered', 'exception'],
  exception: ['in_transit', 'out_for_delivery', 'delivered'],
  delivered: [],
  cancelled: [],
});

const TO_WIRE: Record<ShipmentStatus, WireStatus> = {
  pending: WireStatus.SHIPMENT_STATUS_PENDING,
  shipped: WireStatus.SHIPMENT_STATUS_SHIPPED,
  in_transit: WireStatus.SHIPMENT_STATUS_IN_TRANSIT,
  out_for_delivery: WireStatus.SHIPMENT_STATUS_OUT_FOR_DELIVERY,
  delivered: WireStatus.SHIPMENT_STATUS_DELIVERED,
  exception: WireStatus.SHIPMENT_STATUS_EXCEPTION,
  cancelled: WireStatus.SHIPMENT_STATUS_CANCELLED,
};

export function wireShipmentStatus(status: ShipmentStatus): WireStatus {
  return TO_WIRE[status] ?? WireStatus.SHIPMENT_STATUS_UNSPECIFIED;
}
