import type { EntityManager } from '@mikro-orm/postgresql';
import { OrderConfirmed } from '../../../gen/ecommerce/order/v1/events.js';
import {
  ShipmentCreated,
  ShipmentDelivered,
  ShipmentShipped,
  ShipmentTrackingUpdated,
} from '../../../gen/ecommerce/shipping/v1/events.js';
import type { MikroORM } from '../../../lib/db/index.js';
import {
  ShipmentCreatedEvent,
  ShipmentDeliveredEvent,
  ShipmentShippedEvent,
  ShipmentTrackingUpdatedEvent,
} from '../../../lib/events/catalog.js';
import { decodeEnvelope } from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import {
  createOrderShipment,
  createOrderShipmentAtOnce,
} from '../src/domain/fulfilment/create-order-shipment.js';

/** An order.order.confirmed of a customer's order of `quantities` (one line each) to Berlin. */
export function confirmedOrder(quantities: number[], patch: Partial<OrderConfirmed> = {}): OrderConfirmed {
  return OrderConfirmed.fromPartial({
    orderId: newId(),
    userId: newId(),
    cartId: newId(),
    items: quantities.map((quantity, k) => ({
      orderItemId: newId(),
      productId: newId(),
      variantId: newId(),
      sku: `TEE-${k}`,
      quantity,
      unitPrice: { currencyCode: 'EUR', amountMinor: 1000 },
    })),
    shippingAddress: {
      firstName: 'Ada',
      lastName: 'Lovelace',
      line1: 'Unter den Linden 1',
      city: 'Berlin',
      postalCode: '10117',
      country: 'DE',
    },
    shippingMethod: 'Standard',
    shippingTotal: { currencyCode: 'EUR', amountMinor: 499 },
    confirmedAt: new Date(),
    ...patch,
  });
}

/** The consumer's handler, in a transaction of its own as the consumer runs it. */
export function consume(em: EntityManager, event: OrderConfirmed): Promise<void> {
  return em.transactional((tx) => createOrderShipment(tx, event));
}

/** The consumer's one statement with the event's inbox claim (`eventId`): true when it claimed the event. */
export function consumeAtOnce(em: EntityManager, event: OrderConfirmed, eventId: string): Promise<boolean> {
  return createOrderShipmentAtOnce(em, event, {
    consumer: 'shipping-orders',
    eventId,
    subject: 'order.order.confirmed',
  });
}

/** The shipping events about one order, from the service's outbox (exact at once: written in each change's transaction). */
export async function shippingEventsOf(orm: MikroORM, orderId: string) {
  const rows = await orm.em
    .fork()
    .execute<{ subject: string; envelope: Buffer }[]>(
      `SELECT subject, envelope FROM infra.outbox WHERE subject LIKE 'shipping.%' ORDER BY id`,
    );
  const events = rows.map((row) => ({ subject: row.subject, payload: decodeEnvelope(row.envelope).payload }));
  const of = <T extends { orderId: string }>(subject: string, decode: (bytes: Uint8Array) => T) =>
    events
      .filter((event) => event.subject === subject)
      .map((event) => decode(event.payload))
      .filter((event) => event.orderId === orderId);
  return {
    created: of(ShipmentCreatedEvent.subject, (b) => ShipmentCreated.decode(b)),
    shipped: of(ShipmentShippedEvent.subject, (b) => ShipmentShipped.decode(b)),
    updated: of(ShipmentTrackingUpdatedEvent.subject, (b) => ShipmentTrackingUpdated.decode(b)),
    delivered: of(ShipmentDeliveredEvent.subject, (b) => ShipmentDelivered.decode(b)),
  };
}
