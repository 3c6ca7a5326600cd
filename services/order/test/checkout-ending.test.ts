import { expect } from 'chai';
import { OrderConfirmed } from '../../../gen/ecommerce/order/v1/events.js';
import { decodeEnvelope } from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { checkoutEnding } from '../src/domain/checkout/checkout-ending.js';
import type { CheckoutState } from '../src/domain/checkout/checkout-state.js';
import { DONE, type SagaRecord } from '../src/domain/checkout/saga-runner.js';
import {
  LeaseLostError,
  OrderSagaStore,
  sagaRecordOf,
  type SagaLease,
} from '../src/domain/checkout/saga-store.js';
import { orderEntities } from '../src/entities/index.js';
import { orderMigrations } from '../src/migrations/index.js';
import { BERLIN } from '../../../test/support/checkout-world.js';

/**
 * The end of a checkout that completed: in one statement when the saga's state has the order
 * number (every saga recorded now), in a transaction otherwise. Both write the same rows, and
 * neither writes anything for a replica that lost the saga's lease.
 */
describe('the end of a completed checkout (order confirmed, lines, history and event at once)', () => {
  let db: ScratchDatabase;
  const lease: SagaLease = { owner: 'replica-a', leaseMs: 60_000 };

  before(async () => {
    db = await openScratchDatabase('checkout_ending', {
      entities: orderEntities,
      migrations: orderMigrations,
    });
  });
  after(() => db?.drop());

  /** A pending order at its last step, as the saga leaves it before ending; the number kept in its state or not. */
  async function pendingOrder(keepNumber: boolean, owner = lease.owner): Promise<SagaRecord<CheckoutState>> {
    const id = newId();
    const orderNumber = `T-${id}`;
    const [first, second] = [newId(), newId()];
    const state: CheckoutState = {
      orderId: id,
      ...(keepNumber ? { orderNumber } : {}),
      request: {
        cartId: newId(),
        owner: { sessionId: 'guest-session-0123456789' },
        buyer: { guestEmail: 'guest@example.com' },
        address: BERLIN,
        shippingMethodId: newId(),
        payment: { paymentToken: '' },
        expectedTotal: null,
      },
      currency: 'EUR',
      couponCode: 'SAVE5',
      lines: [
        {
          lineId: first,
          productId: newId(),
          variantId: newId(),
          productName: 'Mug, "Big" {1} \\ NULL ü',
          sku: 'MUG-1',
          quantity: 2,
          unitPriceMinor: 1_250,
          categoryIds: [],
        },
        {
          lineId: second,
          productId: newId(),
          variantId: newId(),
          productName: 'Tea',
          sku: 'TEA-1',
          quantity: 1,
          unitPriceMinor: 899,
          categoryIds: [],
        },
      ],
      shipping: { methodName: 'Standard', priceMinor: 499 },
      discounts: {
        lineDiscounts: { [first]: 500 },
        shippingDiscountMinor: 0,
        couponDiscountMinor: 500,
        promotions: [],
      },
      tax: { lineTaxes: { [first]: 319, [second]: 144 }, shippingTaxMinor: 80, jurisdiction: 'DE' },
      totals: {
        subtotalMinor: 3_399,
        discountTotalMinor: 500,
        shippingTotalMinor: 499,
        taxTotalMinor: 543,
        grandTotalMinor: 3_941,
      },
      paymentId: newId(),
    };
    await db.orm.em.fork().execute(
      `INSERT INTO orders (id, order_number, guest_email, cart_id, subtotal, total_amount, currency, idempotency_scope,
         idempotency_key, request_hash, checkout_step, checkout_state, checkout_lease_owner, checkout_lease_until)
       VALUES (?, ?, 'guest@example.com', ?, 0, 0, 'XXX', 'guest:ending-test', ?, 'h', 'confirm_order', ?::jsonb, ?,
         now() + interval '1 minute')`,
      [id, orderNumber, state.request.cartId, `key-${id}`, JSON.stringify(state), owner],
    );
    return { ...(await sagaRecordOf<CheckoutState>(db.orm.em.fork(), id)), step: DONE };
  }

  /** What the end wrote for an order, with the ids that differ between orders left out. */
  async function written(orderId: string) {
    const em = db.orm.em.fork();
    const [order] = await em.execute(
      `SELECT status, payment_status, checkout_step, confirmed_at IS NOT NULL AS confirmed, currency, coupon_code,
         subtotal::text, discount_amount::text, shipping_amount::text, tax_amount::text, total_amount::text,
         shipping_method_name, payment_id IS NOT NULL AS paid, shipping_method_id IS NOT NULL AS shipped_by
       FROM orders WHERE id = ?`,
      [orderId],
    );
    const items = await em.execute<{ id: string; product_sku: string; product_name: string }[]>(
      `SELECT id, product_name, product_sku, unit_price::text, quantity, discount_amount::text, tax_amount::text,
         total_price::text, currency FROM order_items WHERE order_id = ? ORDER BY created_at, id`,
      [orderId],
    );
    const history = await em.execute(
      `SELECT status, previous_status, changed_by, reason FROM order_status_history WHERE order_id = ? ORDER BY created_at, id`,
      [orderId],
    );
    const outbox = await em.execute<{ subject: string; envelope: Buffer }[]>(
      'SELECT subject, envelope FROM infra.outbox WHERE envelope IS NOT NULL',
    );
    const events = outbox
      .filter((row) => row.subject === 'order.order.confirmed')
      .map((row) => OrderConfirmed.decode(decodeEnvelope(row.envelope).payload))
      .filter((event) => event.orderId === orderId);
    return { order, items, history, events };
  }

  function comparable(rows: Awaited<ReturnType<typeof written>>) {
    const event = rows.events[0]!;
    return {
      order: rows.order,
      items: rows.items.map(({ id: _id, ...item }) => item),
      history: rows.history,
      event: {
        ...event,
        orderId: '',
        orderNumber: '',
        cartId: '',
        paymentId: '',
        confirmedAt: undefined,
        items: event.items.map((item) => ({ ...item, orderItemId: '', productId: '', variantId: '' })),
      },
    };
  }

  it('in one statement writes what the transaction writes: amounts, lines, history and the event, naming the lines it wrote', async () => {
    const atOnce = await pendingOrder(true);
    const general = await pendingOrder(false);
    const inTransaction: string[] = [];
    const store = new OrderSagaStore(db.orm, lease, {
      ...checkoutEnding,
      completed: (tx, record) => {
        inTransaction.push(record.id);
        return checkoutEnding.completed(tx, record);
      },
    });
    await store.complete(atOnce);
    await store.complete(general);
    expect(inTransaction, 'only the saga without its number ended in a transaction').to.deep.equal([
      general.id,
    ]);

    const one = await written(atOnce.id);
    const other = await written(general.id);
    expect(one.events, 'one event').to.have.length(1);
    expect(comparable(one)).to.deep.equal(comparable(other));
    expect(one.order).to.deep.include({
      status: 'confirmed',
      payment_status: 'paid',
      checkout_step: DONE,
      total_amount: '39.41',
      coupon_code: 'SAVE5',
    });
    expect(one.items.map((item) => item.product_sku)).to.deep.equal(['MUG-1', 'TEA-1']);
    // A name is written as given, whatever an array literal would make of its commas, quotes and braces.
    expect(one.items[0]).to.include({ product_name: 'Mug, "Big" {1} \\ NULL ü' });
    const event = one.events[0]!;
    expect(event.orderNumber).to.equal(`T-${atOnce.id}`);
    expect(event.items.map((item) => item.orderItemId)).to.deep.equal(one.items.map((item) => item.id));
    expect(event.grandTotal).to.deep.equal({ currencyCode: 'EUR', amountMinor: 3_941 });
  });

  it('writes nothing for a replica whose lease was taken over, and says so', async () => {
    const record = await pendingOrder(true, 'replica-b');
    const error = await new OrderSagaStore(db.orm, lease, checkoutEnding)
      .complete(record)
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(LeaseLostError);
    const rows = await written(record.id);
    expect(rows.order).to.deep.include({ status: 'pending', checkout_step: 'confirm_order' });
    expect(rows.items).to.have.length(0);
    expect(rows.history).to.have.length(0);
    expect(rows.events).to.have.length(0);
  });

  it('ends a saga once: completing it again writes no second line, history row or event', async () => {
    const record = await pendingOrder(true);
    const store = new OrderSagaStore(db.orm, lease, checkoutEnding);
    await store.complete(record);
    const again = await store.complete(record).catch((e: unknown) => e);
    expect(again).to.be.instanceOf(LeaseLostError);
    const rows = await written(record.id);
    expect(rows.items).to.have.length(2);
    expect(rows.history).to.have.length(1);
    expect(rows.events).to.have.length(1);
  });
});
