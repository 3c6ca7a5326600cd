import { randomUUID } from 'node:crypto';
import {
  connectNatsTransport,
  encodeEnvelope,
  type EventTransport,
  type EventType,
} from '../../../lib/events/index.js';
import type { OrderConfirmed } from '../../../gen/ecommerce/order/v1/events.js';
import type { TestMesh } from '../../../test/support/mesh.js';
import { newId } from '../../../lib/ids.js';
import { money } from '../../../lib/money.js';
import { quietLogger } from '../../../lib/testing/quiet-logger.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notificationEntities } from '../src/entities/index.js';
import { notificationMigrations } from '../src/migrations/index.js';
import { seedNotificationDemo } from '../src/seed/index.js';

export const STORE = { storeName: 'Test Store', storeUrl: 'https://shop.test' };
export const logger = quietLogger();

/** A migrated scratch notification database with the demo templates. */
export async function openNotificationDatabase(prefix: string): Promise<ScratchDatabase> {
  const db = await openScratchDatabase(prefix, {
    entities: notificationEntities,
    migrations: notificationMigrations,
  });
  await seedNotificationDemo(db.orm);
  return db;
}

/** A unique address for one test, so mail of other tests (or runs) never counts. */
export function uniqueEmail(label = 'shopper'): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.test`;
}

/** A confirmed order of two mugs (no buyer unless given: a `userId` or a `guestEmail`). */
export function orderConfirmed(order: Partial<OrderConfirmed> = {}): OrderConfirmed {
  return {
    orderId: newId(),
    userId: '',
    cartId: newId(),
    items: [
      {
        orderItemId: newId(),
        productId: newId(),
        variantId: newId(),
        sku: 'MUG-1',
        quantity: 2,
        unitPrice: money('EUR', 1250),
        productName: 'Mug',
      },
    ],
    shippingAddress: undefined,
    shippingMethod: 'Standard',
    subtotal: money('EUR', 2500),
    discountTotal: money('EUR', 0),
    shippingTotal: money('EUR', 499),
    taxTotal: money('EUR', 0),
    grandTotal: money('EUR', 2999),
    couponCode: '',
    paymentId: newId(),
    confirmedAt: new Date(),
    orderNumber: `ORD-${Math.floor(Math.random() * 9_000_000) + 1_000_000}-1`,
    guestEmail: '',
    ...order,
  };
}

/** An event's envelope, as a publisher's outbox would write it. */
export function envelopeOf<T>(
  event: EventType<T>,
  message: T,
  id = newId(),
): { id: string; bytes: Uint8Array } {
  const bytes = encodeEnvelope({
    id,
    type: event.typeName,
    occurredAt: new Date(),
    source: event.subject.split('.')[0]!,
    correlationId: id,
    payload: Buffer.from(event.encode(message)),
    subject: event.subject,
  });
  return { id, bytes };
}

/**
 * Publishes an envelope straight onto the transport. `copy` changes the transport's message id
 * (JetStream would drop a second publish of one id as a duplicate): a redelivery of the same event
 * that the inbox, not the broker, must recognise.
 */
export async function publishEnvelope(
  transport: EventTransport,
  subject: string,
  envelope: { id: string; bytes: Uint8Array },
  copy = 0,
): Promise<void> {
  await transport.publish(subject, envelope.bytes, copy === 0 ? envelope.id : `${envelope.id}-copy-${copy}`);
}

/** The rows a test reads back. */
export async function notificationsOf(em: EntityManager, eventId: string) {
  return em.execute<
    {
      id: string;
      channel: string;
      status: string;
      recipient: string | null;
      attempts: number;
      notification_type: string;
    }[]
  >(
    'SELECT id, channel, status, recipient, attempts, notification_type FROM notifications WHERE event_id = ? ORDER BY channel',
    [eventId],
  );
}

export async function logsOf(em: EntityManager, notificationId: string) {
  return em.execute<{ attempt: number; status: string; provider: string; error: string | null }[]>(
    'SELECT attempt, status, provider, error FROM notification_logs WHERE notification_id = ? ORDER BY attempt',
    [notificationId],
  );
}

/**
 * Where a test publishes events as their services would: the mesh's own transport, or (a mesh of
 * processes) a NATS connection of the test's own, closed by `close`.
 */
export async function eventsOf(
  mesh: TestMesh,
): Promise<{ transport: EventTransport; close(): Promise<void> }> {
  if (mesh.events) return { transport: mesh.events, close: async () => {} };
  if (!process.env.NATS_URL) throw new Error('a mesh of processes needs NATS_URL to publish events');
  const nats = await connectNatsTransport(process.env.NATS_URL, {
    name: 'notification-test-publisher',
    // The mesh's namespace, as its services have it.
    namespace: mesh.eventsNamespace,
  });
  return { transport: nats, close: () => nats.close() };
}
