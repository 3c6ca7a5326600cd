import { ShippingReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition } from '../../../../../lib/errors.js';
import type { Shipment } from '../../entities/index.js';

/** A shipment that is no longer pending: it cannot be split or handed to a carrier again. */
export function notPending(shipment: Shipment) {
  return failedPrecondition(
    `shipment ${shipment.id} is ${shipment.status}, not pending`,
    ShippingReason.SHIPMENT_NOT_PENDING,
    { shipment_id: shipment.id, status: shipment.status },
  );
}
