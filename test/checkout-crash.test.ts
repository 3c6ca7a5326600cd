import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { OrderStatus, type Order } from '../gen/ecommerce/order/v1/order.js';
import { PaymentStatus, type Payment } from '../gen/ecommerce/payment/v1/payment.js';
import { newId } from '../lib/ids.js';
import { startCheckoutWorld, type CheckoutWorld, type Shopper } from './support/checkout-world.js';
import { eventually, type CallFailure } from './support/clients.js';

/** Short enough that a killed checkout is resumed within a second or two of the restart. */
const ORDER_SETTINGS = { CHECKOUT_LEASE_MS: '1000', CHECKOUT_RECOVERY_INTERVAL_MS: '200' };
/**
 * The order process is killed this long after each wave of checkouts starts, the checkouts of a
 * wave starting 50 ms apart. A checkout on a freshly started order process takes about a second
 * here, so the kills land everywhere: before the order is saved, and after any step up to the last.
 */
const KILL_AFTER_MS = [100, 600, 1500];
const WAVE = 10;
const START_APART_MS = 50;
/** Every third guest's card is declined: those checkouts are undone, and killed while undoing. */
const DECLINED_CARD = 'pm_card_visa_chargeDeclined';
const STOCK = 100;

interface Checkout {
  guest: Shopper;
  cartId: string;
  key: string;
  token: string;
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
          .catch((error: CallFailure) => {
            // Any answer of the service itself (NOT_FOUND here) says it is back.
            if (error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED)
              throw error;
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
      const token = i % 3 === 2 ? DECLINED_CARD : 'pm_card_visa';
      checkouts.push({ guest, cartId, key: `key-${newId()}`, token, quantity });
    }

    const interrupted: Checkout[] = [];
    const unexpected: string[] = [];
    for (const [wave, killAfterMs] of KILL_AFTER_MS.entries()) {
      const calls = checkouts.slice(wave * WAVE, (wave + 1) * WAVE).map(async (checkout, i) => {
        await sleep(i * START_APART_MS);
        await world
          .placeOrder(checkout.guest, checkout.cartId, { key: checkout.key, token: checkout.token })
          .catch((error: CallFailure) => {
            if (error.code === grpc.status.UNAVAILABLE) interrupted.push(checkout);
            else if (checkout.token !== DECLINED_CARD || error.errorInfo?.reason !== 'PAYMENT_DECLINED') {
              unexpected.push(`${checkout.guest.guestEmail}: ${error.message}`);
            }
          });
      });
      await sleep(killAfterMs);
      await world.mesh.killService('order');
      await Promise.all(calls);
      await world.mesh.startService('order');
      await orderServiceAnswers();
    }
    expect(unexpected, 'answers other than an order, a decline or a dropped call').to.deep.equal([]);
    expect(interrupted.length, 'checkouts interrupted by the kills').to.be.greaterThan(0);

    const emails = new Set(checkouts.map((checkout) => checkout.guest.guestEmail!));
    await eventually(
      async () => {
        const pending = (await ordersOf(emails, since)).filter(
          (order) => order.status === OrderStatus.ORDER_STATUS_PENDING,
        );
        expect(
          pending.map((order) => order.orderNumber),
          'orders still pending',
        ).to.deep.equal([]);
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the recovery to finish every interrupted checkout' },
    );

    // A guest whose call broke sends it again with the same key: the answer is the order as it
    // stands (or its refusal, naming it), or a new order if the first was never saved.
    const retried = await Promise.all(
      interrupted.map((checkout) =>
        world.placeOrder(checkout.guest, checkout.cartId, { key: checkout.key, token: checkout.token }).then(
          (order) => ({ checkout, order, error: undefined }),
          (error: CallFailure) => ({ checkout, order: undefined, error }),
        ),
      ),
    );
    const orders = await ordersOf(emails, since);
    const payments = await allPayments();
    for (const { checkout, order, error } of retried) {
      const answered = order ?? orders.find((each) => each.id === error?.errorInfo?.metadata?.order_id);
      expect(answered, `the retry of ${checkout.guest.guestEmail}: ${error?.message ?? ''}`).to.not.equal(
        undefined,
      );
      const listed = orders.find((each) => each.id === answered!.id);
      expect(listed?.status, 'the retry answers the order as it stands').to.equal(
        order ? order.status : OrderStatus.ORDER_STATUS_CANCELLED,
      );
      if (error) expect(error.errorInfo?.reason).to.equal('PAYMENT_DECLINED');
    }

    // Every guest: one confirmed order with a good card, none with the declined one; every order
    // of theirs confirmed or cancelled.
    for (const checkout of checkouts) {
      const own = orders.filter((order) => order.guestEmail === checkout.guest.guestEmail);
      expect(own.length, `orders of ${checkout.guest.guestEmail}`).to.be.greaterThan(0);
      const statuses = own.map((order) => order.status);
      for (const status of statuses) {
        expect(status).to.be.oneOf([OrderStatus.ORDER_STATUS_CONFIRMED, OrderStatus.ORDER_STATUS_CANCELLED]);
      }
      expect(
        statuses.filter((status) => status === OrderStatus.ORDER_STATUS_CONFIRMED),
        `confirmed orders of ${checkout.guest.guestEmail} (card ${checkout.token})`,
      ).to.have.length(checkout.token === DECLINED_CARD ? 0 : 1);
    }
    const confirmed = orders.filter((order) => order.status === OrderStatus.ORDER_STATUS_CONFIRMED);
    const cancelled = orders.filter((order) => order.status === OrderStatus.ORDER_STATUS_CANCELLED);

    // Payments: a confirmed order's captured exactly its total; a cancelled order's given back.
    for (const order of confirmed) {
      const own = payments.filter((payment) => payment.orderId === order.id);
      expect(own, `payments of confirmed ${order.orderNumber}`).to.have.length(1);
      const [payment] = own;
      expect(payment!.id).to.equal(order.paymentId);
      expect(payment!.guestEmail.toLowerCase()).to.equal(order.guestEmail.toLowerCase());
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
          PaymentStatus.PAYMENT_STATUS_FAILED,
          PaymentStatus.PAYMENT_STATUS_VOIDED,
          PaymentStatus.PAYMENT_STATUS_REFUNDED,
        ]);
        expect(minor(payment.amountRefunded), `refunded for ${order.orderNumber}`).to.equal(
          minor(payment.amountCaptured),
        );
      }
    }
    // Nothing charged without an order: every payment of these guests belongs to one of their orders.
    const ours = new Set(orders.map((order) => order.id));
    const payers = new Set([...emails].map((email) => email.toLowerCase()));
    const orphans = payments.filter(
      (payment) => payers.has(payment.guestEmail.toLowerCase()) && !ours.has(payment.orderId),
    );
    expect(
      orphans.map((payment) => payment.id),
      'payments without an order',
    ).to.deep.equal([]);

    // Stock: the confirmed units committed, the rest available again, nothing left reserved.
    const sold = confirmed.reduce(
      (sum, order) => sum + order.lines.reduce((units, line) => units + line.quantity, 0),
      0,
    );
    expect(sold).to.equal(
      checkouts.filter((c) => c.token !== DECLINED_CARD).reduce((sum, c) => sum + c.quantity, 0),
    );
    const { levels } = await world.api.product.getStock({ variantId }, { token: world.admin });
    const total = (field: 'quantity' | 'reservedQuantity' | 'availableQuantity') =>
      levels.reduce((sum, level) => sum + level[field], 0);
    expect(total('reservedQuantity'), 'units still reserved').to.equal(0);
    expect(total('quantity'), 'units on hand').to.equal(STOCK - sold);
    expect(total('availableQuantity'), 'units available').to.equal(STOCK - sold);

    // The coupon: used once per confirmed order, the cancelled orders' uses given back.
    const { coupon } = await world.api.discount.getCoupon(
      { lookup: { $case: 'code', value: code } },
      { token: world.admin },
    );
    expect(coupon!.usageCount, 'coupon uses').to.equal(confirmed.length);
  });
});
