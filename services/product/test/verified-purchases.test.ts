import { expect } from 'chai';
import { OrderDelivered } from '../../../gen/ecommerce/order/v1/events.js';
import { CreateProductRequest } from '../../../gen/ecommerce/product/v1/product.js';
import {
  encodeEnvelope,
  InProcessTransport,
  on,
  startConsumer,
  type RunningConsumer,
} from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { quietLogger } from '../../../lib/testing/quiet-logger.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { productDatabase } from '../src/database.js';
import { createProduct } from '../src/domain/create-product.js';
import { OrderDeliveredEvent } from '../../../lib/events/catalog.js';
import { recordDelivery } from '../src/domain/reviews/purchases.js';
import { createReview } from '../src/domain/reviews/reviews.js';

/** The product-purchases consumer: order.order.delivered makes a customer's reviews verified. */
describe('reviews: verified purchases from order.order.delivered', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let transport: InProcessTransport;
  let consumer: RunningConsumer;

  before(async () => {
    db = await openScratchDatabase('product_purchases', productDatabase);
    transport = new InProcessTransport({ logger: quietLogger() });
    consumer = await startConsumer({
      orm: db.orm,
      transport,
      consumer: 'product-purchases',
      source: 'order',
      handlers: [on(OrderDeliveredEvent, (em, event) => recordDelivery(em, event))],
      logger: quietLogger(),
    });
    transport.open();
  });
  after(async () => {
    await consumer?.stop();
    await transport?.close();
    await db?.drop();
  });

  const product = async () => {
    const sku = `VP-${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
    return createProduct(
      db.orm.em.fork(),
      CreateProductRequest.fromPartial({
        sku,
        name: 'Reviewed',
        slug: sku.toLowerCase(),
        price: { currencyCode: 'EUR', amountMinor: 100 },
      }),
      5,
    );
  };

  /** Publishes an order.order.delivered event as the order service's relay would; resolves once handled. */
  async function deliver(userId: string, productIds: string[], eventId = newId()) {
    const event = OrderDelivered.fromPartial({
      orderId: newId(),
      userId,
      items: productIds.map((productId) => ({
        orderItemId: newId(),
        productId,
        variantId: newId(),
        quantity: 1,
      })),
      deliveredAt: new Date(),
    });
    const envelope = encodeEnvelope({
      id: eventId,
      type: OrderDeliveredEvent.typeName,
      occurredAt: new Date(),
      source: 'order',
      correlationId: eventId,
      payload: Buffer.from(OrderDelivered.encode(event).finish()),
      subject: OrderDeliveredEvent.subject,
    });
    await transport.publish(OrderDeliveredEvent.subject, envelope, eventId);
    return event;
  }

  const review = (userId: string, productId: string) =>
    createReview(db.orm.em.fork(), userId, { productId, rating: 4, title: '', comment: '' });

  it('a review written after the delivery is verified; one without a delivery is not', async () => {
    const bought = await product();
    const other = await product();
    const userId = newId();
    await deliver(userId, [bought.id]);
    expect((await review(userId, bought.id)).verifiedPurchase).to.equal(true);
    expect((await review(userId, other.id)).verifiedPurchase).to.equal(false);
    expect((await review(newId(), bought.id)).verifiedPurchase).to.equal(false);
  });

  it('a review written before the delivery becomes verified when it arrives; a redelivery changes nothing', async () => {
    const bought = await product();
    const userId = newId();
    const written = await review(userId, bought.id);
    expect(written.verifiedPurchase).to.equal(false);
    const eventId = newId();
    const event = await deliver(userId, [bought.id], eventId);
    await deliver(userId, [bought.id], eventId);
    const [row] = await db.orm.em
      .fork()
      .execute<{ is_verified_purchase: boolean; order_id: string }[]>(
        'SELECT is_verified_purchase, order_id FROM reviews WHERE id = ?',
        [written.id],
      );
    expect(row).to.deep.equal({ is_verified_purchase: true, order_id: event.orderId });
    const [inbox] = await db.orm.em
      .fork()
      .execute<{ n: number }[]>('SELECT count(*)::int AS n FROM infra.inbox WHERE event_id = ?', [eventId]);
    expect(inbox!.n).to.equal(1);
  });
});
