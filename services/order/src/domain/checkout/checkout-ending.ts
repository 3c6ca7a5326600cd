import type { EntityManager } from '@mikro-orm/postgresql';
import { OrderReason } from '../../../../../lib/error-reasons.js';
import { OrderCancelledEvent, OrderConfirmedEvent } from '../../../../../lib/events/catalog.js';
import { executePrepared } from '../../../../../lib/db/prepared-statement.js';
import {
  insertOutboxRowFrom,
  outboxRowOf,
  outboxRowParams,
  outboxWritten,
  publishEvent,
} from '../../../../../lib/events/index.js';
import { newId } from '../../../../../lib/ids.js';
import { money } from '../../../../../lib/money.js';
import { orderStatuses, SYSTEM } from '../order-status.js';
import { required, type CheckoutState } from './checkout-state.js';
import type { SagaEnding } from './saga-store.js';
import { DONE, type SagaRecord } from './saga-runner.js';

/**
 * The last transaction of a checkout, in the same transaction as the saga's end: the order
 * confirmed with its lines and amounts and `order.order.confirmed` in the outbox (the cart converts
 * on it, the payment service's reconciler learns the payment has its order), or the order cancelled
 * with the refusal's words and `order.order.cancelled`.
 */
export const checkoutEnding: SagaEnding<CheckoutState> = {
  async completed(tx, { id, state }) {
    const totals = required(state.totals, 'totals');
    const currency = required(state.currency, 'currency');
    const itemIds = await writeLines(tx, state);
    let orderNumber = '';
    await orderStatuses.apply(
      tx,
      { id, from: 'pending', to: 'confirmed', changedBy: SYSTEM, note: CONFIRMED_NOTE },
      async (t) => {
        const [row] = await t.execute<{ order_number: string }[]>(
          `UPDATE orders SET status = 'confirmed', payment_status = 'paid', confirmed_at = now(),
             currency = ?, subtotal = ? / 100.0, discount_amount = ? / 100.0, shipping_amount = ? / 100.0,
             tax_amount = ? / 100.0, total_amount = ? / 100.0, coupon_code = ?, payment_id = ?,
             shipping_method_id = ?, shipping_method_name = ?
           WHERE id = ? RETURNING order_number`,
          [
            currency,
            totals.subtotalMinor,
            totals.discountTotalMinor,
            totals.shippingTotalMinor,
            totals.taxTotalMinor,
            totals.grandTotalMinor,
            state.couponCode ?? null,
            state.paymentId ?? null,
            state.request.shippingMethodId,
            required(state.shipping, 'shipping').methodName,
            id,
          ],
        );
        orderNumber = row!.order_number;
      },
    );
    await publishEvent(tx, 'order', OrderConfirmedEvent, confirmedEventOf(state, id, itemIds, orderNumber));
  },

  async completedAtOnce(em, record, lease) {
    const { id, state } = record;
    // The event carries the order number: a saga recorded before the number was kept in its state
    // ends the general way, which reads it.
    if (state.orderNumber === undefined) return false;
    orderStatuses.assertAllowed(id, 'pending', 'confirmed');
    const totals = required(state.totals, 'totals');
    const currency = required(state.currency, 'currency');
    const items = orderItemRowsOf(state);
    const itemIds = new Map(items.map((item) => [item.lineId, item.id]));
    const event = outboxRowOf(
      'order',
      OrderConfirmedEvent,
      confirmedEventOf(state, id, itemIds, state.orderNumber),
    );
    const [row] = await executePrepared<{ confirmed: number }>(
      em,
      'order:complete-checkout',
      COMPLETE_CHECKOUT_SQL,
      {
        id,
        done: DONE,
        state: JSON.stringify(record.state),
        leaseMs: lease.leaseMs,
        leaseOwner: lease.owner,
        orderNumber: state.orderNumber,
        currency,
        subtotal: totals.subtotalMinor,
        discountTotal: totals.discountTotalMinor,
        shippingTotal: totals.shippingTotalMinor,
        taxTotal: totals.taxTotalMinor,
        grandTotal: totals.grandTotalMinor,
        couponCode: state.couponCode ?? null,
        paymentId: state.paymentId ?? null,
        shippingMethodId: state.request.shippingMethodId,
        shippingMethodName: required(state.shipping, 'shipping').methodName,
        itemIds: items.map((item) => item.id),
        productIds: items.map((item) => item.productId),
        variantIds: items.map((item) => item.variantId),
        productNames: items.map((item) => item.productName),
        skus: items.map((item) => item.sku),
        unitPrices: items.map((item) => item.unitPriceMinor),
        quantities: items.map((item) => item.quantity),
        discounts: items.map((item) => item.discountMinor),
        taxes: items.map((item) => item.taxMinor),
        totals: items.map((item) => item.totalMinor),
        historyId: newId(),
        changedBy: SYSTEM,
        note: CONFIRMED_NOTE,
        ...outboxRowParams(event),
      },
    );
    if (row?.confirmed !== 1) return false;
    outboxWritten(em, event);
    return true;
  },

  async compensated(tx, record) {
    const reason = cancellationReasonOf(record);
    let orderNumber = '';
    await orderStatuses.apply(
      tx,
      { id: record.id, from: 'pending', to: 'cancelled', changedBy: 'system', note: reason },
      async (t) => {
        const [row] = await t.execute<{ order_number: string }[]>(
          `UPDATE orders SET status = 'cancelled', cancelled_at = now(), cancellation_reason = ?,
             payment_status = CASE WHEN ? THEN 'failed' ELSE payment_status END
           WHERE id = ? RETURNING order_number`,
          [reason, record.failure?.reason === 'PAYMENT_DECLINED', record.id],
        );
        orderNumber = row!.order_number;
      },
    );
    const buyer = record.state.request.buyer;
    await publishEvent(tx, 'order', OrderCancelledEvent, {
      orderId: record.id,
      userId: 'userId' in buyer ? buyer.userId : '',
      reason,
      cancelledAt: new Date(),
      orderNumber,
      guestEmail: 'guestEmail' in buyer ? buyer.guestEmail : '',
    });
  },
};

function cancellationReasonOf(record: SagaRecord<CheckoutState>): string {
  const failure = record.failure;
  if (!failure) return 'checkout cancelled';
  // The same reason its caller was answered (place-order.ts): a refusal without one of its own is CHECKOUT_FAILED.
  return `${failure.reason ?? OrderReason.CHECKOUT_FAILED}: ${failure.message}`;
}

const CONFIRMED_NOTE = 'checkout completed';

/*
 * `completed` in one statement, with the saga's end: only while this replica holds the saga's
 * lease and the order is pending (else `confirmed` is empty and nothing is written). The same rows
 * as the general way: the order's amounts and status, its lines, the history row and the event.
 */
const COMPLETE_CHECKOUT_SQL = `
  WITH confirmed AS (
    UPDATE orders SET checkout_step = :done, checkout_state = :state::jsonb, checkout_suspended_reason = NULL,
      checkout_lease_until = now() + (:leaseMs::int * interval '1 millisecond'), updated_at = now(),
      status = 'confirmed', payment_status = 'paid', confirmed_at = now(),
      currency = :currency, subtotal = :subtotal / 100.0, discount_amount = :discountTotal / 100.0,
      shipping_amount = :shippingTotal / 100.0, tax_amount = :taxTotal / 100.0, total_amount = :grandTotal / 100.0,
      coupon_code = :couponCode, payment_id = :paymentId::uuid,
      shipping_method_id = :shippingMethodId::uuid, shipping_method_name = :shippingMethodName
    WHERE id = :id AND checkout_lease_owner = :leaseOwner AND checkout_step <> :done
      AND status = 'pending' AND order_number = :orderNumber
    RETURNING id),
  lines AS (
    INSERT INTO order_items (id, order_id, product_id, variant_id, product_name, product_sku, unit_price,
      quantity, discount_amount, tax_amount, total_price, currency)
    SELECT line.id, confirmed.id, line.product_id, line.variant_id, line.product_name, line.sku,
      line.unit_price / 100.0, line.quantity, line.discount / 100.0, line.tax / 100.0, line.total / 100.0, :currency
    FROM confirmed,
      unnest(:itemIds::uuid[], :productIds::uuid[], :variantIds::uuid[], :productNames::text[], :skus::text[],
        :unitPrices::bigint[], :quantities::int[], :discounts::bigint[], :taxes::bigint[], :totals::bigint[])
        AS line(id, product_id, variant_id, product_name, sku, unit_price, quantity, discount, tax, total)),
  history AS (
    INSERT INTO order_status_history (id, order_id, status, previous_status, changed_by, reason, created_at)
    SELECT :historyId, id, 'confirmed', 'pending', :changedBy, :note, now() FROM confirmed),
  announced AS (
    ${insertOutboxRowFrom('confirmed')})
  SELECT count(*)::int AS confirmed FROM confirmed`;

/** One order line as charged: unit price, allocated discount and tax, with the item's new id. */
interface OrderItemRow {
  id: string;
  lineId: string;
  productId: string;
  variantId: string;
  productName: string;
  sku: string;
  unitPriceMinor: number;
  quantity: number;
  discountMinor: number;
  taxMinor: number;
  /** The line's price after its discount, before tax. */
  totalMinor: number;
}

/** The order's lines as charged, in the cart's order. */
function orderItemRowsOf(state: CheckoutState): OrderItemRow[] {
  const discounts = required(state.discounts, 'discounts');
  const tax = required(state.tax, 'tax');
  return required(state.lines, 'lines').map((line) => {
    const discountMinor = discounts.lineDiscounts[line.lineId] ?? 0;
    return {
      id: newId(),
      lineId: line.lineId,
      productId: line.productId,
      variantId: line.variantId,
      productName: line.productName,
      sku: line.sku,
      unitPriceMinor: line.unitPriceMinor,
      quantity: line.quantity,
      discountMinor,
      taxMinor: tax.lineTaxes[line.lineId] ?? 0,
      totalMinor: line.unitPriceMinor * line.quantity - discountMinor,
    };
  });
}

/** Writes the order's lines (`orderItemRowsOf`); answers each line's order item id by its cart line id. */
async function writeLines(tx: EntityManager, state: CheckoutState): Promise<Map<string, string>> {
  const currency = required(state.currency, 'currency');
  const items = orderItemRowsOf(state);
  for (const item of items) {
    await tx.execute(
      `INSERT INTO order_items (id, order_id, product_id, variant_id, product_name, product_sku, unit_price,
         quantity, discount_amount, tax_amount, total_price, currency)
       VALUES (?, ?, ?, ?, ?, ?, ? / 100.0, ?, ? / 100.0, ? / 100.0, ? / 100.0, ?)`,
      [
        item.id,
        state.orderId,
        item.productId,
        item.variantId,
        item.productName,
        item.sku,
        item.unitPriceMinor,
        item.quantity,
        item.discountMinor,
        item.taxMinor,
        item.totalMinor,
        currency,
      ],
      'run',
    );
  }
  return new Map(items.map((item) => [item.lineId, item.id]));
}

function confirmedEventOf(
  state: CheckoutState,
  orderId: string,
  itemIds: ReadonlyMap<string, string>,
  orderNumber: string,
) {
  const currency = required(state.currency, 'currency');
  const totals = required(state.totals, 'totals');
  const buyer = state.request.buyer;
  return {
    orderId,
    userId: 'userId' in buyer ? buyer.userId : '',
    cartId: state.request.cartId,
    items: required(state.lines, 'lines').map((line) => ({
      orderItemId: itemIds.get(line.lineId)!,
      productId: line.productId,
      variantId: line.variantId,
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: money(currency, line.unitPriceMinor),
      productName: line.productName,
    })),
    shippingAddress: state.request.address,
    shippingMethod: required(state.shipping, 'shipping').methodName,
    subtotal: money(currency, totals.subtotalMinor),
    discountTotal: money(currency, totals.discountTotalMinor),
    shippingTotal: money(currency, totals.shippingTotalMinor),
    taxTotal: money(currency, totals.taxTotalMinor),
    grandTotal: money(currency, totals.grandTotalMinor),
    couponCode: state.couponCode ?? '',
    paymentId: state.paymentId ?? '',
    confirmedAt: new Date(),
    orderNumber,
    guestEmail: 'guestEmail' in buyer ? buyer.guestEmail : '',
  };
}
