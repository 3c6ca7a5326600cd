import { expect } from 'chai';
import {
  UserDeactivated,
  UserEmailVerified,
  UserReactivated,
} from '../../../gen/ecommerce/auth/v1/events.js';
import { ProductUpdated } from '../../../gen/ecommerce/product/v1/events.js';
import { Product, ProductStatus } from '../../../gen/ecommerce/product/v1/product.js';
import { WishlistProductStatus } from '../../../gen/ecommerce/user/v1/user.js';
import {
  encodeEnvelope,
  InProcessTransport,
  on,
  startConsumer,
  type EventType,
  type RunningConsumer,
} from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { eventually } from '../../../lib/testing/eventually.js';
import { quietLogger } from '../../../lib/testing/quiet-logger.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import {
  UserDeactivatedEvent,
  UserEmailVerifiedEvent,
  UserReactivatedEvent,
} from '../../../lib/events/catalog.js';
import { authEventHandlers, productEventHandlers } from '../src/consumers/bindings.js';
import { eventLogInbox } from '../src/consumers/event-log-inbox.js';
import { ProductUpdatedEvent } from '../../../lib/events/catalog.js';
import { UserProfile } from '../src/entities/user-profile.js';
import { getProfileOf } from '../src/domain/profiles.js';
import { addWishlistItem, listWishlist } from '../src/domain/wishlist.js';
import { countRows, newCustomer, openUserDatabase } from './support.js';

interface Published {
  id: string;
  bytes: Uint8Array;
}

function envelopeOf<T>(event: EventType<T>, message: T, source: string): Published {
  const id = newId();
  const bytes = encodeEnvelope({
    id,
    type: event.typeName,
    subject: event.subject,
    occurredAt: new Date(),
    source,
    correlationId: id,
    payload: Buffer.from(event.encode(message)),
  });
  return { id, bytes };
}

function product(overrides: Partial<Product> = {}): Product {
  return Product.fromPartial({
    id: newId(),
    sku: 'TEE',
    name: 'Plain tee',
    slug: 'plain-tee',
    description: '',
    price: { currencyCode: 'EUR', amountMinor: 1999 },
    status: ProductStatus.PRODUCT_STATUS_ACTIVE,
    variants: [],
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  });
}

describe('user service: auth and product events', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let transport: InProcessTransport;
  const consumers: RunningConsumer[] = [];
  const em = () => db.orm.em.fork();

  before(async () => {
    db = await openUserDatabase('user_events');
    transport = new InProcessTransport();
    const common = { orm: db.orm, transport, inbox: eventLogInbox, logger: quietLogger(), backoffMs: [50] };
    consumers.push(
      await startConsumer({
        ...common,
        consumer: 'user-from-auth',
        source: 'auth',
        handlers: authEventHandlers,
      }),
      await startConsumer({
        ...common,
        consumer: 'user-from-product',
        source: 'product',
        handlers: productEventHandlers,
      }),
    );
    transport.open();
  });
  after(async () => {
    for (const consumer of consumers) await consumer.stop();
    await transport?.close();
    await db?.drop();
  });

  async function deliverTwice(subject: string, event: Published): Promise<void> {
    await transport.publish(subject, event.bytes, event.id);
    await transport.publish(subject, event.bytes, event.id);
  }

  it('marks the email verified once however often the event is delivered', async () => {
    const userId = await newCustomer(db);
    const event = envelopeOf(
      UserEmailVerifiedEvent,
      UserEmailVerified.fromPartial({ userId, email: 'ada@example.com', verifiedAt: new Date() }),
      'auth',
    );
    await deliverTwice(UserEmailVerifiedEvent.subject, event);
    const profile = await getProfileOf(em(), userId);
    expect(profile).to.include({ emailVerified: true, email: 'ada@example.com' });
    expect(await countRows(db, 'event_logs WHERE event_id = ?', [event.id])).to.equal(1);
  });

  it('records an event whose envelope text holds a NUL byte, and applies it', async () => {
    const userId = await newCustomer(db);
    const event = envelopeOf(
      UserEmailVerifiedEvent,
      UserEmailVerified.fromPartial({ userId, email: 'nul@example.com', verifiedAt: new Date() }),
      'au\u0000th',
    );
    await transport.publish(UserEmailVerifiedEvent.subject, event.bytes, event.id);
    expect((await getProfileOf(em(), userId)).emailVerified).to.equal(true);
    expect(await countRows(db, 'event_logs WHERE event_id = ?', [event.id])).to.equal(1);
  });

  it('applies deactivation and reactivation by when they happened, whatever the delivery order', async () => {
    const userId = await newCustomer(db);
    const t0 = new Date(Date.now() - 60_000);
    const t1 = new Date(Date.now() - 30_000);
    const deactivated = envelopeOf(
      UserDeactivatedEvent,
      UserDeactivated.fromPartial({ userId, deactivatedBy: newId(), reason: 'fraud', deactivatedAt: t0 }),
      'auth',
    );
    const reactivated = envelopeOf(
      UserReactivatedEvent,
      UserReactivated.fromPartial({ userId, reactivatedBy: newId(), reactivatedAt: t1 }),
      'auth',
    );
    await deliverTwice(UserDeactivatedEvent.subject, deactivated);
    expect((await getProfileOf(em(), userId)).isActive).to.equal(false);
    await deliverTwice(UserReactivatedEvent.subject, reactivated);
    expect((await getProfileOf(em(), userId)).isActive).to.equal(true);

    // A later deactivation wins; an older reactivation delivered after it changes nothing.
    const later = envelopeOf(
      UserDeactivatedEvent,
      UserDeactivated.fromPartial({ userId, deactivatedAt: new Date() }),
      'auth',
    );
    const stale = envelopeOf(
      UserReactivatedEvent,
      UserReactivated.fromPartial({ userId, reactivatedAt: t0 }),
      'auth',
    );
    await transport.publish(UserDeactivatedEvent.subject, later.bytes, later.id);
    await transport.publish(UserReactivatedEvent.subject, stale.bytes, stale.id);
    expect((await getProfileOf(em(), userId)).isActive).to.equal(false);
  });

  it('refreshes every wishlist copy of a product once per event, and ignores an older version', async () => {
    const first = await newCustomer(db);
    const second = await newCustomer(db);
    const tee = product();
    const catalog = { getProduct: async () => tee };
    await addWishlistItem(em(), catalog, first, { productId: tee.id, notes: '' });
    await addWishlistItem(em(), catalog, second, { productId: tee.id, notes: 'gift' });

    const changed = {
      ...tee,
      name: 'Organic tee',
      slug: 'organic-tee',
      images: [
        { id: newId(), url: 'https://cdn.example.com/back.jpg', altText: 'back', primary: false },
        { id: newId(), url: 'https://cdn.example.com/front.jpg', altText: 'front', primary: true },
      ],
      price: { currencyCode: 'EUR', amountMinor: 2499 },
      status: ProductStatus.PRODUCT_STATUS_ARCHIVED,
      updatedAt: new Date('2026-02-01T00:00:00Z'),
    };
    const update = envelopeOf(
      ProductUpdatedEvent,
      ProductUpdated.fromPartial({ product: changed }),
      'product',
    );
    await deliverTwice(ProductUpdatedEvent.subject, update);
    for (const userId of [first, second]) {
      const { items } = await listWishlist(em(), userId, { page: undefined });
      expect(items[0]).to.deep.include({
        productName: 'Organic tee',
        productSlug: 'organic-tee',
        productImageUrl: 'https://cdn.example.com/front.jpg',
        price: { currencyCode: 'EUR', amountMinor: 2499 },
        availability: WishlistProductStatus.WISHLIST_PRODUCT_STATUS_UNAVAILABLE,
      });
    }
    expect(await countRows(db, 'event_logs WHERE event_id = ?', [update.id])).to.equal(1);

    const older = envelopeOf(
      ProductUpdatedEvent,
      ProductUpdated.fromPartial({
        product: { ...tee, name: 'Old name', updatedAt: new Date('2026-01-15T00:00:00Z') },
      }),
      'product',
    );
    await transport.publish(ProductUpdatedEvent.subject, older.bytes, older.id);
    const { items } = await listWishlist(em(), first, { page: undefined });
    expect(items[0]!.productName).to.equal('Organic tee');
  });

  it('lets a second consumer of the same event apply it too: the event log is per consumer', async () => {
    const userId = await newCustomer(db);
    const seenByAudit: string[] = [];
    // A transport of its own: a durable outlives its subscription and would hold the suite's events.
    const local = new InProcessTransport();
    const common = {
      orm: db.orm,
      transport: local,
      inbox: eventLogInbox,
      logger: quietLogger(),
      source: 'auth',
    };
    const both = [
      await startConsumer({ ...common, consumer: 'user-from-auth', handlers: authEventHandlers }),
      await startConsumer({
        ...common,
        consumer: 'user-audit',
        handlers: [on(UserEmailVerifiedEvent, async (_em, event) => void seenByAudit.push(event.userId))],
      }),
    ];
    local.open();
    const deliverTwice = async (subject: string, event: Published) => {
      await local.publish(subject, event.bytes, event.id);
      await local.publish(subject, event.bytes, event.id);
    };
    try {
      const event = envelopeOf(
        UserEmailVerifiedEvent,
        UserEmailVerified.fromPartial({ userId, email: 'two@example.com', verifiedAt: new Date() }),
        'auth',
      );
      await deliverTwice(UserEmailVerifiedEvent.subject, event);
      expect((await getProfileOf(em(), userId)).emailVerified).to.equal(true);
      expect(seenByAudit).to.deep.equal([userId]);
      const rows = await em().execute<{ consumer: string }[]>(
        'SELECT consumer FROM event_logs WHERE event_id = ? ORDER BY consumer',
        [event.id],
      );
      expect(rows.map((row) => row.consumer)).to.deep.equal(['user-audit', 'user-from-auth']);
    } finally {
      for (const consumer of both) await consumer.stop();
      await local.close();
    }
  });

  it('applies an email verification that arrives before its profile once the profile exists (retried)', async () => {
    const userId = newId();
    const event = envelopeOf(
      UserEmailVerifiedEvent,
      UserEmailVerified.fromPartial({ userId, email: 'late@example.com', verifiedAt: new Date() }),
      'auth',
    );
    await transport.publish(UserEmailVerifiedEvent.subject, event.bytes, event.id);
    const writer = em();
    writer.create(UserProfile, { userId, email: 'late@example.com' });
    await writer.flush();
    await eventually(async () => (await getProfileOf(em(), userId)).emailVerified, {
      what: 'the redelivered verification applied',
    });
  });
});
