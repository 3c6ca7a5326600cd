import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderConfirmed } from '../../../../../gen/ecommerce/order/v1/events.js';
import { ShipmentCreatedEvent } from '../../../../../lib/events/catalog.js';
import { minorUnitsToDecimal } from '../../../../../lib/db/money-type.js';
import { executePrepared } from '../../../../../lib/db/prepared-statement.js';
import {
  inboxClaimParams,
  inboxClaimSql,
  insertOutboxRowFrom,
  outboxRowOf,
  outboxRowParams,
  outboxWritten,
  PermanentEventError,
  type InboxClaim,
} from '../../../../../lib/events/index.js';
import { isUuid, newId } from '../../../../../lib/ids.js';

/** The order's lines, or a PermanentEventError: an event no retry can make usable. */
function linesOf(event: OrderConfirmed) {
  if (!isUuid(event.orderId)) throw new PermanentEventError(`order id "${event.orderId}" is not a UUID`);
  if (event.userId !== '' && !isUuid(event.userId))
    throw new PermanentEventError(`order ${event.orderId}: user id "${event.userId}" is not a UUID`);
  if (event.items.length === 0) throw new PermanentEventError(`order ${event.orderId} has no lines`);
  const seen = new Set<string>();
  for (const item of event.items) {
    const ids = [item.orderItemId, item.productId, item.variantId];
    if (
      !ids.every(isUuid) ||
      !Number.isInteger(item.quantity) ||
      item.quantity < 1 ||
      seen.has(item.orderItemId)
    )
      throw new PermanentEventError(
        `order ${event.orderId}: line ${item.orderItemId} is malformed or repeated`,
      );
    seen.add(item.orderItemId);
  }
  return event.items;
}

/*
 * The order's first shipment, its lines and its event in one statement: the order's shipments are
 * locked first, as every change of an order's shipments does (`lockOrderShipments`), and nothing is
 * written when it has one already. With `claimed`, the statement also claims the event in the inbox
 * (the consumer's `atOnce`) and writes the shipment only with the claim; without, it runs in the
 * consumer's transaction, after its inbox row. Prepared: it runs once per order.
 */
const createFirstShipmentSql = (claimed: boolean) => `
  WITH existing AS (
    SELECT id FROM shipments WHERE order_id = :orderId ORDER BY created_at, id FOR UPDATE),${
      claimed ? `\n  claimed AS (${inboxClaimSql()}),` : ''
    }
  shipment AS (
    INSERT INTO shipments (id, order_id, user_id, status, cost, currency, origin_address, destination_address,
      created_at, updated_at)
    SELECT :shipmentId, :orderId, :userId::uuid, 'pending', :cost::numeric, :currency, '{}'::jsonb, :destination::jsonb,
      :createdAt, :createdAt
    WHERE NOT EXISTS (SELECT 1 FROM existing)${claimed ? ' AND EXISTS (SELECT 1 FROM claimed)' : ''}
    RETURNING id),
  lines AS (
    INSERT INTO shipment_items (id, shipment_id, order_item_id, product_id, variant_id, sku, quantity, created_at)
    SELECT line.id, shipment.id, line.order_item_id, line.product_id, line.variant_id, line.sku, line.quantity,
      :createdAt
    FROM shipment,
      unnest(:itemIds::uuid[], :orderItemIds::uuid[], :productIds::uuid[], :variantIds::uuid[], :skus::text[],
        :quantities::int[]) AS line(id, order_item_id, product_id, variant_id, sku, quantity)),
  announced AS (
    ${insertOutboxRowFrom('shipment')})
  SELECT count(*)::int AS created${claimed ? ', (SELECT count(*) FROM claimed)::int AS claimed' : ''} FROM shipment`;

/**
 * On order.order.confirmed: the order's first shipment, pending, holding every line of the order,
 * to the order's shipping address, and shipping.shipment.created. An order that already has its
 * first shipment (the event again, under another id) gets nothing more. In the consumer's
 * transaction.
 */
export async function createOrderShipment(tx: EntityManager, event: OrderConfirmed): Promise<void> {
  const { params, announcement } = firstShipmentOf(event);
  const [row] = await executePrepared<{ created: number }>(
    tx,
    'shipping:create-first-shipment',
    createFirstShipmentSql(false),
    params,
  );
  if (row?.created === 1) outboxWritten(tx, announcement);
}

/**
 * `createOrderShipment` with the event's inbox claim, in one statement (the consumer's `atOnce`):
 * false, with nothing written, when the event was claimed before (the consumer's transaction then
 * calls it a repeat).
 */
export async function createOrderShipmentAtOnce(
  em: EntityManager,
  event: OrderConfirmed,
  claim: InboxClaim,
): Promise<boolean> {
  const { params, announcement } = firstShipmentOf(event);
  const [row] = await executePrepared<{ created: number; claimed: number }>(
    em,
    'shipping:create-first-shipment-at-once',
    createFirstShipmentSql(true),
    { ...params, ...inboxClaimParams(claim) },
  );
  if (row?.created === 1) outboxWritten(em, announcement);
  return row?.claimed === 1;
}

/** The statement's parameters (the shipment, its lines, its event) and its event; a malformed event throws. */
function firstShipmentOf(event: OrderConfirmed) {
  const lines = linesOf(event);
  const shippingTotal = event.shippingTotal ?? event.grandTotal;
  const cost = {
    currencyCode: shippingTotal?.currencyCode ?? 'XXX',
    amountMinor: shippingTotal?.amountMinor ?? 0,
  };
  const shipmentId = newId();
  const createdAt = new Date();
  const items = lines.map((line) => ({
    id: newId(),
    orderItemId: line.orderItemId,
    productId: line.productId,
    variantId: line.variantId,
    sku: line.sku,
    quantity: line.quantity,
  }));
  const announcement = outboxRowOf('shipping', ShipmentCreatedEvent, {
    shipmentId,
    orderId: event.orderId,
    userId: event.userId,
    carrier: '',
    shippingMethod: event.shippingMethod,
    trackingNumber: '',
    cost,
    createdAt,
    lines: items.map(({ id: _id, ...line }) => line),
    splitFromShipmentId: '',
  });
  const params = {
    orderId: event.orderId,
    shipmentId,
    userId: event.userId === '' ? null : event.userId,
    cost: minorUnitsToDecimal(cost.amountMinor),
    currency: cost.currencyCode,
    destination: JSON.stringify({ ...(event.shippingAddress ?? {}) }),
    createdAt,
    itemIds: items.map((item) => item.id),
    orderItemIds: items.map((item) => item.orderItemId),
    productIds: items.map((item) => item.productId),
    variantIds: items.map((item) => item.variantId),
    skus: items.map((item) => item.sku),
    quantities: items.map((item) => item.quantity),
    ...outboxRowParams(announcement),
  };
  return { params, announcement };
}
