import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  SplitShipmentRequest,
  SplitShipmentResponse,
} from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { ShippingReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition, notFound } from '../../../../../lib/errors.js';
import { ShipmentCreatedEvent } from '../../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../../lib/events/index.js';
import { runOnce } from '../../../../../lib/idempotency/idempotency-keys.js';
import { checked } from '../../../../../lib/validation/index.js';
import { Shipment, ShipmentItem } from '../../entities/index.js';
import { eventLinesOf, lockOrderShipments } from './order-shipments.js';
import { shipmentMessages } from './shipment-view.js';
import { notPending } from './shipment-refusals.js';

const MAX_LINES = 100;

function splitInput(request: SplitShipmentRequest) {
  return checked((v) => {
    const shipmentId = v.uuid('shipment_id', request.shipmentId);
    const key = v.text('idempotency_key', request.idempotencyKey, 1, 100);
    if (request.lines.length === 0) v.add('lines', 'is required: at least one line to move');
    else if (request.lines.length > MAX_LINES) v.add('lines', `must hold at most ${MAX_LINES} lines`);
    const seen = new Set<string>();
    const lines = request.lines.slice(0, MAX_LINES).map((line, i) => {
      const orderItemId = v.uuid(`lines[${i}].order_item_id`, line.orderItemId);
      if (!v.has(`lines[${i}].order_item_id`) && seen.has(orderItemId))
        v.add(`lines[${i}].order_item_id`, 'names a line already named by this request');
      seen.add(orderItemId);
      const quantity = v.wholeNumber(`lines[${i}].quantity`, line.quantity, 1, 1_000_000);
      return { orderItemId, quantity };
    });
    return { shipmentId, key, lines };
  });
}

/**
 * SplitShipment: moves units of lines from a pending shipment to a new pending shipment of the
 * same order, under the lock of the order's shipments; once per idempotency key and shipment.
 * Units are only moved, so a line's units across the order's shipments stay what was ordered.
 */
export async function splitShipment(
  em: EntityManager,
  request: SplitShipmentRequest,
): Promise<SplitShipmentResponse> {
  const input = splitInput(request);
  const keyed = {
    scope: `split-shipment/${input.shipmentId}`,
    key: input.key,
    request: { shipmentId: input.shipmentId, lines: input.lines },
  };
  const { sourceId, createdId } = await runOnce(em, keyed, async (tx) => {
    const found = await tx.findOne(Shipment, { id: input.shipmentId });
    if (!found) throw notFound('shipment', input.shipmentId);
    const source = (await lockOrderShipments(tx, found.orderId)).find((s) => s.id === found.id)!;
    if (source.status !== 'pending') throw notPending(source);

    const items = await tx.find(ShipmentItem, { shipment: source.id });
    const byLine = new Map(items.map((item) => [item.orderItemId, item]));
    let unitsLeft = items.reduce((sum, item) => sum + item.quantity, 0);
    for (const line of input.lines) {
      const item = byLine.get(line.orderItemId);
      if (!item)
        throw failedPrecondition(
          `shipment ${source.id} holds no line ${line.orderItemId}`,
          ShippingReason.SHIPMENT_LINE_NOT_FOUND,
          { order_item_id: line.orderItemId },
        );
      if (line.quantity > item.quantity)
        throw failedPrecondition(
          `line ${line.orderItemId}: shipment ${source.id} holds ${item.quantity} units, ${line.quantity} cannot move`,
          ShippingReason.SPLIT_EXCEEDS_SHIPMENT,
          {
            order_item_id: line.orderItemId,
            available: String(item.quantity),
            requested: String(line.quantity),
          },
        );
      unitsLeft -= line.quantity;
    }
    if (unitsLeft === 0) {
      const units = items.reduce((sum, item) => sum + item.quantity, 0);
      throw failedPrecondition(
        `moving every unit would leave shipment ${source.id} empty: at least one must stay`,
        ShippingReason.SPLIT_EXCEEDS_SHIPMENT,
        { order_item_id: '', available: String(units), requested: String(units) },
      );
    }

    const created = tx.create(Shipment, {
      orderId: source.orderId,
      userId: source.userId,
      status: 'pending',
      cost: 0,
      currency: source.currency,
      originAddress: source.originAddress,
      destinationAddress: source.destinationAddress,
      splitFromId: source.id,
    });
    for (const line of input.lines) {
      const item = byLine.get(line.orderItemId)!;
      tx.create(ShipmentItem, {
        shipment: created,
        orderItemId: item.orderItemId,
        productId: item.productId,
        variantId: item.variantId,
        sku: item.sku,
        quantity: line.quantity,
      });
      if (line.quantity === item.quantity) tx.remove(item);
      else item.quantity -= line.quantity;
    }
    // The source changed too (its lines): its updated_at says so.
    source.updatedAt = new Date();
    await tx.flush();
    await publishEvent(tx, 'shipping', ShipmentCreatedEvent, {
      shipmentId: created.id,
      orderId: created.orderId,
      userId: created.userId ?? '',
      carrier: '',
      shippingMethod: '',
      trackingNumber: '',
      cost: { currencyCode: created.currency, amountMinor: 0 },
      createdAt: created.createdAt,
      lines: await eventLinesOf(tx, created.id),
      splitFromShipmentId: source.id,
    });
    return { sourceId: source.id, createdId: created.id };
  });
  const fresh = em.fork();
  const [source, created] = await shipmentMessages(fresh, [
    (await fresh.findOne(Shipment, { id: sourceId }))!,
    (await fresh.findOne(Shipment, { id: createdId }))!,
  ]);
  return { source, created };
}
