import { expect } from 'chai';
import { OrderStatus, type Order } from '../gen/ecommerce/order/v1/order.js';
import { PaymentStatus, type Payment } from '../gen/ecommerce/payment/v1/payment.js';
import { newId } from '../lib/ids.js';
import { startCheckoutWorld, type CheckoutWorld, type Shopper } from './support/checkout-world.js';
import { eventually, type CallFailure } from './support/clients.js';

/** Short enough that a killed checkout is resumed within a second or two of the restart. */
const ORDER_SETTINGS = { CHECKOUT_LEASE_MS: '1000', CHECKOUT_RECOVERY_INTERVAL_MS: '200' };
/** The order process is killed this long after each wave of checkouts starts: the kill lands on different steps. */
const KILL_AFTER_MS = [20, 100, 300];
const WAVE = 10;
const STOCK = 100;

interface Checkout {
  guest: Shopper;
  cartId: string;
  key: string;
  quantity: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function minor(money: { amountMinor: number } | undefined): number {
  return money?.amountMinor ?? NaN;
}

/**
 * The checkout saga against a crash of its own process: the order service killed (SIGKILL, no
 * drain) while checkouts are in flight, at several moments, and started again. After the
 * recovery every order is either confirmed and paid in full with its stock committed and its
 * coupon used, or cancelled with all of it given back; nothing is held or charged without an order.
 */
describe('checkout crash: the order process killed mid-checkout and restarted (needs processes)', function () {
  this.timeout(300_000);
  let world: CheckoutWorld;

  before(async () => {
    world = await startCheckoutWorld({ env: ORDER_SETTINGS });
  });
  after(() => world?.stop());

  async function ordersOf(emails: Set<string>, since: Date): Promise<Order[]> {
    const found: Order[] = [];
    let pageToken = '';
    do {
      const { orders, page } = await world.api.order.listOrders(
        {
          statuses: [],
          createdFrom: since,
          createdBefore: undefined,
          userId: '',
          orderNumber: '',
          minTotalMinor: 0,
          maxTotalMinor: 0,
          page: { pageSize: 100, pageToken },
        },
        { token: world.admin },
      );
      found.push(...orders.filter((order) => emails.has(order.guestEmail)));
      pageToken = page?.nextPageToken ?? '';
    } while (pageToken);
    return found;
  }

  async function allPayments(): Promise<Payment[]> {
    const found: Payment[] = [];
    let pageToken = '';
    do {
      const { payments, page } = await world.api.payment.listPayments(
        { orderId: '', status: 0, userId: '', page: { pageSize: 100, pageToken } },
        { token: world.service },
      );
      found.push(...payments);
      pageToken = page?.nextPageToken ?? '';
    } while (pageToken);
    return found;
  }

  /** The restarted order service answers again (a client's connection backs off while it is down). */
  async function orderServiceAnswers(): Promise<void> {
    await eventually(
      async () => {
        await world.api.order
          .getGuestOrder({ orderNumber: 'ORD-1-1', email: 'nobody@example.com' })
          .catch((error: { code?: number }) => {
            if (error.code === 14 || error.code === 4) throw error; // UNAVAILABLE, DEADLINE_EXCEEDED
          });
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the order service to answer after its restart' },
    );
  }

  it('30 guest checkouts through three kills: each order confirmed and paid, or cancelled with everything given back', async () => {
    const since = new Date(Date.now() - 1000);
    const shirt = await world.product([STOCK], 2000);
    const variantId = shirt.variants[0]!.id;
    const code = await world.coupon(1000);
    const checkouts: Checkout[] = [];
    for (let i = 0; i < KILL_AFTER_MS.length * WAVE; i++) {
      const guest = world.guest();
      const quantity = 1 + (i % 2);
      const cartId = await world.cart(guest, [{ product: shirt, quantity }]);
      await world.api.cart.applyCoupon({ cartId, sessionId: guest.sessionId!, couponCode: code });
      checkouts.push({ guest, cartId, key: `key-${newId()}`, quantity });
    }

    const interrupted: Checkout[] = [];
    for (const [wave, killAfterMs] of KILL_AFTER_MS.entries()) {
      const calls = checkouts.slice(wave * WAVE, (wave + 1) * WAVE).map(async (checkout, i) => {
        await sleep(i * 5);
        await world.placeOrder(checkout.guest, checkout.cartId, { key: checkout.key }).catch(() => {
          interrupted.push(checkout);
        });
      });
      await sleep(killAfterMs);
      await world.mesh.killService('order');
      await Promise.all(calls);
      await world.mesh.startService('order');
      await orderServiceAnswers();
    }
    expect(interrupted, 'the kills interrupt checkouts in flight').to.not.be.empty;

    const emails = new Set(checkouts.map((checkout) => checkout.guest.guestEmail!));
    await eventually(
      async () => {
        const pending = (await ordersOf(emails, since)).filter(
          (order) => order.status === OrderStatus.ORDER_STATUS_PENDING,
        );
        expect(
          pending.map((order) => order.orderNumber),
          'orders still pending',
        ).to.be.empty;
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the recovery to finish every interrupted checkout' },
    );

    // A shopper whose call broke sends it again with the same key: the same order, or a new one
    // if the first never got as far as being saved; never a second order for the same cart.
    const retried = await Promise.all(
      interrupted.map((checkout) =>
        world.placeOrder(checkout.guest, checkout.cartId, { key: checkout.key }).then(
          (order) => ({ checkout, order }),
          (error: CallFailure) => ({ checkout, error }),
        ),
      ),
    );
    const orders = await ordersOf(emails, since);
    const payments = await allPayments();
    expect(orders.filter((order) => order.status === OrderStatus.ORDER_STATUS_PENDING)).to.be.empty;
    for (const email of emails) {
      const live = orders.filter(
        (order) => order.guestEmail === email && order.status !== OrderStatus.ORDER_STATUS_CANCELLED,
      );
      expect(live, `live orders of ${email}`).to.have.length.at.most(1);
    }
    for (const outcome of retried) {
      // A checkout the crash turned back answers its refusal again, naming its cancelled order.
      const answered =
        'order' in outcome
          ? outcome.order
          : orders.find((order) => order.id === outcome.error.errorInfo?.metadata?.order_id);
      expect(
        answered,
        `the retry of ${outcome.checkout.guest.guestEmail}: ${'error' in outcome ? outcome.error.message : ''}`,
      ).to.exist;
      const listed = orders.find((order) => order.id === answered!.id);
      expect(listed?.status, 'the retry answers the order as it stands').to.equal(
        'order' in outcome ? outcome.order.status : OrderStatus.ORDER_STATUS_CANCELLED,
      );
    }

    const confirmed = orders.filter((order) => order.status === OrderStatus.ORDER_STATUS_CONFIRMED);
    const cancelled = orders.filter((order) => order.status === OrderStatus.ORDER_STATUS_CANCELLED);
    expect(confirmed.length + cancelled.length, 'every order confirmed or cancelled').to.equal(orders.length);
    for (const email of emails) {
      expect(
        orders.some((order) => order.guestEmail === email),
        `an order of ${email}`,
      ).to.equal(true);
    }

    for (const order of confirmed) {
      const own = payments.filter((payment) => payment.orderId === order.id);
      expect(own, `payments of confirmed ${order.orderNumber}`).to.have.length(1);
      const [payment] = own;
      expect(payment!.id).to.equal(order.paymentId);
      expect(payment!.status, `payment of ${order.orderNumber}`).to.equal(
        PaymentStatus.PAYMENT_STATUS_CAPTURED,
      );
      expect(minor(payment!.amountCaptured), `captured for ${order.orderNumber}`).to.equal(
        minor(order.grandTotal),
      );
      expect(minor(payment!.amountRefunded)).to.equal(0);
      expect(order.couponCode).to.equal(code);
      expect(minor(order.discountTotal)).to.be.greaterThan(0);
    }
    for (const order of cancelled) {
      for (const payment of payments.filter((each) => each.orderId === order.id)) {
        expect(payment.status, `payment of cancelled ${order.orderNumber}`).to.be.oneOf([
          PaymentStatus.PAYMENT_STATUS_VOIDED,
          PaymentStatus.PAYMENT_STATUS_REFUNDED,
          PaymentStatus.PAYMENT_STATUS_FAILED,
        ]);
        expect(minor(payment.amountRefunded), `refunded for ${order.orderNumber}`).to.equal(
          minor(payment.amountCaptured),
        );
      }
    }

    // Nothing charged without an order: every payment belongs to an order the order service has.
    const known = new Set(orders.map((order) => order.id));
    for (const payment of payments.filter((each) => !known.has(each.orderId))) {
      const { order } = await world.api.order.getOrder({ orderId: payment.orderId }, { token: world.admin });
      expect(order?.id, `the order of payment ${payment.id}`).to.equal(payment.orderId);
    }

    // Stock: the confirmed units committed, nothing left reserved.
    const sold = confirmed.reduce(
      (sum, order) => sum + order.lines.reduce((units, line) => units + line.quantity, 0),
      0,
    );
    const { levels } = await world.api.product.getStock({ variantId }, { token: world.admin });
    expect(
      levels.reduce((sum, level) => sum + level.reservedQuantity, 0),
      'units still reserved',
    ).to.equal(0);
    expect(
      levels.reduce((sum, level) => sum + level.quantity, 0),
      'units on hand',
    ).to.equal(STOCK - sold);
    expect(
      levels.reduce((sum, level) => sum + level.availableQuantity, 0),
      'units available',
    ).to.equal(STOCK - sold);

    // The coupon: used once per confirmed order, the cancelled ones' uses given back.
    const { coupon } = await world.api.discount.getCoupon(
      { lookup: { $case: 'code', value: code } },
      { token: world.admin },
    );
    expect(coupon!.usageCount, 'coupon uses').to.equal(confirmed.length);
  });
});
