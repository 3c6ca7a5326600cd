import { expect } from 'chai';
import { CartStatus } from '../../../gen/ecommerce/cart/v1/cart.js';
import { CartConverted } from '../../../gen/ecommerce/cart/v1/events.js';
import { OrderConfirmed } from '../../../gen/ecommerce/order/v1/events.js';
import {
  decodeEnvelope,
  encodeEnvelope,
  InProcessTransport,
  on,
  startConsumer,
} from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { quietLogger } from '../../../lib/testing/quiet-logger.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { OrderConfirmedEvent } from '../../../lib/events/catalog.js';
import { addItem } from '../src/domain/add-item.js';
import { convertCartAtOnce, convertCartOfOrder } from '../src/domain/convert-cart.js';
import { getCheckoutCart } from '../src/domain/get-checkout-cart.js';
import { depsWith, MemoryCatalog, newSessionId, openCartDatabase, productWith } from './support.js';

describe('cart service: a confirmed order converts its cart', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  const catalog = new MemoryCatalog();
  const deps = depsWith(catalog);
  const em = () => db.orm.em.fork();
  const logger = quietLogger();

  before(async () => {
    db = await openCartDatabase('cart_convert');
  });
  after(async () => {
    await db?.drop();
  });

  async function customerCart() {
    const product = catalog.add(productWith([10]));
    const userId = newId();
    const cart = await addItem(
      em(),
      deps,
      { userId },
      {
        cartId: '',
        productId: product.id,
        variantId: product.variants[0]!.id,
        quantity: 1,
      },
    );
    owners.set(cart.id, userId);
    return { userId, cart };
  }

  /** Each customer cart's owner, for events that name the order's buyer (as the order service's do). */
  const owners = new Map<string, string>();
  let namesBuyer = true;
  const confirmed = (cartId: string, orderId = newId()) =>
    OrderConfirmed.fromPartial({ orderId, cartId, userId: namesBuyer ? (owners.get(cartId) ?? '') : '' });
  const convert = (event: OrderConfirmed) =>
    em().transactional((tx) => convertCartOfOrder(tx, event, logger));
  const stateOf = async (cartId: string) => {
    const [row] = await em().execute<{ status: string; converted_order_id: string | null }[]>(
      'SELECT status, converted_order_id FROM carts WHERE id = ?',
      [cartId],
    );
    return row!;
  };
  const convertedEvents = async (cartId: string) =>
    (
      await em().execute<{ envelope: Uint8Array }[]>(
        `SELECT envelope FROM infra.outbox WHERE subject = 'cart.cart.converted' ORDER BY id`,
      )
    )
      .map((row) => CartConverted.decode(decodeEnvelope(row.envelope).payload))
      .filter((event) => event.cartId === cartId);

  for (const [mode, names] of [
    ['the event names the buyer: one statement', true],
    ['the event names no buyer: the general way', false],
  ] as const) {
    describe(mode, () => {
      before(() => {
        namesBuyer = names;
      });
      after(() => {
        namesBuyer = true;
      });

      it('marks the cart converted with its order, once, and announces it once', async () => {
        const { userId, cart } = await customerCart();
        const event = confirmed(cart.id);
        await convert(event);
        await convert(event);
        expect(await stateOf(cart.id)).to.deep.equal({
          status: 'converted',
          converted_order_id: event.orderId,
        });
        const events = await convertedEvents(cart.id);
        expect(events).to.have.length(1);
        expect(events[0]).to.deep.include({ cartId: cart.id, userId, orderId: event.orderId });
      });

      it('shows the checkout a converted cart as CONVERTED, at a new version, once', async () => {
        const { userId, cart } = await customerCart();
        const owner = { $case: 'userId' as const, value: userId };
        const before = await getCheckoutCart(em(), { cartId: cart.id, owner });
        const event = confirmed(cart.id);
        await convert(event);
        await convert(event);
        const after = await getCheckoutCart(em(), { cartId: cart.id, owner });
        expect(before.status).to.equal(CartStatus.CART_STATUS_ACTIVE);
        expect(after).to.deep.include({
          status: CartStatus.CART_STATUS_CONVERTED,
          version: before.version + 1,
        });
        expect(after.lines).to.deep.equal(before.lines);
      });

      it('converts an abandoned cart, skips a merged one, an unknown one, and one another order converted', async () => {
        const abandoned = (await customerCart()).cart;
        await em().execute(`UPDATE carts SET status = 'abandoned' WHERE id = ?`, [abandoned.id]);
        await convert(confirmed(abandoned.id));
        expect((await stateOf(abandoned.id)).status).to.equal('converted');

        const merged = (
          await addItem(
            em(),
            deps,
            { sessionId: newSessionId() },
            {
              cartId: '',
              productId: [...catalog.products.values()][0]!.id,
              variantId: [...catalog.products.values()][0]!.variants[0]!.id,
              quantity: 1,
            },
          )
        ).id;
        await em().execute(`UPDATE carts SET status = 'merged', merged_into_cart_id = ? WHERE id = ?`, [
          abandoned.id,
          merged,
        ]);
        await convert(confirmed(merged));
        expect((await stateOf(merged)).status).to.equal('merged');

        await convert(confirmed(newId()));
        const first = (await stateOf(abandoned.id)).converted_order_id;
        await convert(confirmed(abandoned.id));
        expect((await stateOf(abandoned.id)).converted_order_id).to.equal(first);
        expect(await convertedEvents(merged)).to.deep.equal([]);
      });
    });
  }

  it("converts in one statement, with the event's inbox claim, only the buyer's convertible cart, and the event names the conversion's time", async () => {
    const { userId, cart } = await customerCart();
    const other = await customerCart();
    const orderId = newId();
    const claims: string[] = [];
    const atOnce = (event: Partial<OrderConfirmed>, eventId = newId()) => {
      claims.push(eventId);
      const claim = { consumer: 'cart-orders', eventId, subject: OrderConfirmedEvent.subject };
      return convertCartAtOnce(em(), OrderConfirmed.fromPartial({ orderId, ...event }), claim);
    };
    const claimed = async () =>
      (
        await em().execute<{ event_id: string }[]>(
          'SELECT event_id FROM infra.inbox WHERE event_id = ANY(?::uuid[])',
          [`{${claims.join(',')}}`],
        )
      ).map((row) => row.event_id);
    expect(await atOnce({ cartId: cart.id, userId: other.userId }), 'another buyer').to.equal(false);
    expect(await atOnce({ cartId: cart.id }), 'a guest').to.equal(false);
    expect(await atOnce({ cartId: newId(), userId }), 'an unknown cart').to.equal(false);
    expect(await convertedEvents(cart.id)).to.deep.equal([]);
    expect(await claimed(), 'nothing claimed for a cart it leaves to the general way').to.deep.equal([]);
    const eventId = newId();
    expect(await atOnce({ cartId: cart.id, userId }, eventId)).to.equal(true);
    expect(await claimed()).to.deep.equal([eventId]);
    expect(await atOnce({ cartId: cart.id, userId }, eventId), 'the same event again').to.equal(false);
    expect(await atOnce({ cartId: cart.id, userId }), 'converted already').to.equal(false);
    expect(await claimed()).to.deep.equal([eventId]);
    const [row] = await em().execute<{ updated_at: Date }[]>('SELECT updated_at FROM carts WHERE id = ?', [
      cart.id,
    ]);
    const events = await convertedEvents(cart.id);
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({
      cartId: cart.id,
      userId,
      orderId,
      convertedAt: new Date(row!.updated_at),
    });
  });

  it('consumes order.order.confirmed through the inbox: a redelivered event changes nothing', async () => {
    const { cart } = await customerCart();
    const transport = new InProcessTransport();
    const consumer = await startConsumer({
      orm: db.orm,
      transport,
      consumer: 'cart-orders',
      source: 'order',
      handlers: [
        on(OrderConfirmedEvent, (tx, event) => convertCartOfOrder(tx, event, logger), {
          atOnce: (em, event, _envelope, claim) => convertCartAtOnce(em, event, claim),
        }),
      ],
      logger,
    });
    transport.open();
    try {
      const id = newId();
      const envelope = encodeEnvelope({
        id,
        type: OrderConfirmedEvent.typeName,
        occurredAt: new Date(),
        source: 'order',
        correlationId: id,
        subject: OrderConfirmedEvent.subject,
        payload: Buffer.from(OrderConfirmedEvent.encode(confirmed(cart.id))),
      });
      await transport.publish(OrderConfirmedEvent.subject, envelope, id);
      await transport.publish(OrderConfirmedEvent.subject, envelope, `${id}-again`);
      expect((await stateOf(cart.id)).status).to.equal('converted');
      expect(await convertedEvents(cart.id)).to.have.length(1);
    } finally {
      await consumer.stop();
      await transport.close();
    }
  });
});
