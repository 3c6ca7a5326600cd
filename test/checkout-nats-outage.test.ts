import { expect } from 'chai';
import { CartStatus } from '../gen/ecommerce/cart/v1/cart.js';
import { OrderConfirmed } from '../gen/ecommerce/order/v1/events.js';
import { OrderStatus, type Order } from '../gen/ecommerce/order/v1/order.js';
import { TcpProxy } from '../lib/testing/tcp-proxy.js';
import { startCheckoutWorld, type CheckoutWorld, type Shopper } from './support/checkout-world.js';
import { eventually } from './support/clients.js';
import { EventTap } from './support/event-tap.js';

const SHOPPERS = 40;
/** NATS is cut this long after the checkouts start, and stays away this long. */
const CUT_AFTER_MS = 300;
const OUTAGE_MS = 4_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * NATS goes away while shoppers check out: the checkouts do not need it (an order's events wait in
 * its outbox), and once NATS is back every confirmed order's event is published and acted on, once
 * in effect: each order has one event (redeliveries carry its id), and each cart is converted to
 * its order. The services reach NATS through a TCP proxy we cut; the test reads the real server.
 */
describe('checkout while NATS is unreachable (needs NATS)', function () {
  this.timeout(180_000);
  let proxy: TcpProxy;
  let world: CheckoutWorld;
  let tap: EventTap<{ 'order.order.confirmed': typeof OrderConfirmed }>;
  let natsUrl: string;

  before(async () => {
    natsUrl = process.env.NATS_URL!;
    const nats = new URL(natsUrl);
    proxy = await TcpProxy.start({ host: nats.hostname, port: Number(nats.port || 4222) });
    process.env.NATS_URL = proxy.url('nats');
    world = await startCheckoutWorld();
    tap = await EventTap.start(world.mesh, {
      stream: 'order',
      codecs: { 'order.order.confirmed': OrderConfirmed },
      natsUrl,
    });
  });
  after(async () => {
    process.env.NATS_URL = natsUrl;
    await world?.stop();
    await tap?.stop();
    await proxy?.close();
  });

  it("confirms the orders during the outage, and every confirmed order's event arrives once NATS is back, once in effect", async () => {
    const shirt = await world.product([SHOPPERS]);
    const guests: Shopper[] = Array.from({ length: SHOPPERS }, () => world.guest());
    const carts = await Promise.all(
      guests.map((guest) => world.cart(guest, [{ product: shirt, quantity: 1 }])),
    );

    const placed = Promise.all(
      guests.map((guest, i) => world.placeOrder(guest, carts[i]!, { deadlineMs: 60_000 })),
    );
    await sleep(CUT_AFTER_MS);
    await proxy.cut();
    await sleep(OUTAGE_MS);
    const seenBeforeRestore = tap.deliveries('order.order.confirmed');
    await proxy.restore();
    const orders: Order[] = await placed;

    expect(orders.map((order) => order.status)).to.deep.equal(
      Array(SHOPPERS).fill(OrderStatus.ORDER_STATUS_CONFIRMED),
    );
    const orderIds = new Set(orders.map((order) => order.id));
    const publishedBeforeRestore = new Set(
      seenBeforeRestore
        .filter((event) => orderIds.has(event.message.orderId))
        .map((event) => event.message.orderId),
    );
    expect(publishedBeforeRestore.size, 'orders confirmed while NATS was away').to.be.lessThan(SHOPPERS);
    const events = await eventually(
      () => {
        const seen = tap.deliveries('order.order.confirmed', (message) => orderIds.has(message.orderId));
        return new Set(seen.map((event) => event.message.orderId)).size === SHOPPERS && seen;
      },
      { timeoutMs: 60_000, what: 'an order.order.confirmed of every order' },
    );
    for (const orderId of orderIds) {
      const ids = new Set(
        events.filter((event) => event.message.orderId === orderId).map((event) => event.eventId),
      );
      expect(ids.size, `events of order ${orderId}`).to.equal(1);
    }
    for (const [i, guest] of guests.entries()) {
      await eventually(
        async () => {
          const { cart } = await world.api.cart.getCart({ cartId: carts[i]!, sessionId: guest.sessionId! });
          return cart!.status === CartStatus.CART_STATUS_CONVERTED;
        },
        { timeoutMs: 30_000, what: `cart ${carts[i]} converted to its order` },
      );
    }
  });
});
