import type { EntityManager } from '@mikro-orm/postgresql';
import { OrderReason } from '../../../../../lib/error-reasons.js';
import { OrderCancelledEvent, OrderConfirmedEvent } from '../../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../../lib/events/index.js';
import { newId } from '../../../../../lib/ids.js';
import { money } from '../../../../../lib/money.js';
import { orderStatuses } from '../order-status.js';
import { required, type CheckoutState } from './checkout-state.js';
import type { SagaEnding } from './saga-store.js';
import type { SagaRecord } from './saga-runner.js';

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
      { id, from: 'pending', to: 'confirmed', changedBy: 'system', note: 'checkout completed' },
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

/**
 * The order's lines as charged: unit price, allocated discount and tax, in the cart's order.
 * Answers each line's order item id by its cart line id.
 */
async function writeLines(tx: EntityManager, state: CheckoutState): Promise<Map<string, string>> {
  const lines = required(state.lines, 'lines');
  const discounts = required(state.discounts, 'discounts');
  const tax = required(state.tax, 'tax');
  const currency = required(state.currency, 'currency');
  const itemIds = new Map<string, string>();
  for (const line of lines) {
    const discount = discounts.lineDiscounts[line.lineId] ?? 0;
    itemIds.set(line.lineId, newId());
    await tx.execute(
      `INSERT INTO order_items (id, order_id, product_id, variant_id, product_name, product_sku, unit_price,
         quantity, discount_amount, tax_amount, total_price, currency)
       VALUES (?, ?, ?, ?, ?, ?, ? / 100.0, ?, ? / 100.0, ? / 100.0, ? / 100.0, ?)`,
      [
        itemIds.get(line.lineId),
        state.orderId,
        line.productId,
        line.variantId,
        line.productName,
        line.sku,
        line.unitPriceMinor,
        line.quantity,
        discount,
        tax.lineTaxes[line.lineId] ?? 0,
        line.unitPriceMinor * line.quantity - discount,
        currency,
      ],
      'run',
    );
  }
  return itemIds;
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
