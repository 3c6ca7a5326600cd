import type { EntityManager } from '@mikro-orm/postgresql';
import type { Return as ReturnMessage } from '../../../../gen/ecommerce/return/v1/return.js';
import { RefundRequestedEvent, ReturnRefundedEvent } from '../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { money } from '../../../../lib/money.js';
import { requireUuid } from '../../../../lib/validation/index.js';
import { Refund, ReturnItem, type ReturnRequest } from '../entities/index.js';
import type { ShippingRefundRule } from '../settings.js';
import { findReturn, lockOrderReturns } from './find-return.js';
import type { OrderDesk, OrderFacts, PaymentRefunds } from './ports.js';
import { lineAmountOf, returnRefundOf, type LineRefundInput } from './refund-allocation.js';
import { returnStatuses } from './return-status.js';
import { returnView } from './return-view.js';

const STAFF = { reader: 'staff' } as const;

export interface RefundReturnDeps {
  orders: OrderDesk;
  payments: PaymentRefunds;
  refundShipping: ShippingRefundRule;
}

/** The payment service's idempotency key of a return's refund: one refund per return, ever. */
export const refundKeyOf = (returnId: string) => `return-${returnId}`;

/**
 * RefundReturn, in three steps so that no call is made inside a transaction:
 * 1. under the order's lock, the refund is computed once (refund rule, against the order's earlier
 *    refunds) and stored with its lines' shares and return.refund.requested; a return that has
 *    its refund row keeps it, however many calls arrive;
 * 2. the payment service refunds it, keyed by the return, so it is made once whoever calls;
 * 3. under the return's lock, the refund is completed, the return PROCESSED and
 *    return.return.refunded published (once: a later call finds it completed).
 * A failure between the steps leaves the refund PROCESSING; RefundReturn again finishes it.
 */
export async function refundReturn(
  em: EntityManager,
  deps: RefundReturnDeps,
  staffId: string,
  returnIdText: string,
): Promise<ReturnMessage> {
  const returnId = requireUuid('return_id', returnIdText);
  const found = await findReturn(em, STAFF, returnId);
  const refunded = found.status === 'processed' || (found.status === 'closed' && found.processedAt !== null);
  if (refunded) return returnView(em, found);
  returnStatuses.assertAllowed(found.id, found.status, 'processed');

  const order = await deps.orders.getOrder(found.orderId);
  if (!order) throw new Error(`order ${found.orderId} of return ${found.id} is unknown to the order service`);
  const refund = await computeRefund(em.fork(), deps, order, staffId, returnId);
  if (refund && refund.status !== 'completed') {
    const { paymentRefundId } = await deps.payments.refund({
      paymentId: refund.paymentId!,
      amount: money(refund.currency, refund.amount),
      reason: `return ${found.rmaNumber}`,
      returnId: found.id,
      idempotencyKey: refund.idempotencyKey,
    });
    await completeRefund(em.fork(), staffId, returnId, paymentRefundId);
  }
  const fresh = em.fork();
  return returnView(fresh, await findReturn(fresh, STAFF, returnId));
}

/**
 * Step 1: the return's refund row, computed now if it has none. Undefined when the return refunds
 * nothing (its units cost nothing): it is then PROCESSED at once, with no payment call.
 */
async function computeRefund(
  em: EntityManager,
  deps: RefundReturnDeps,
  order: OrderFacts,
  staffId: string,
  returnId: string,
): Promise<Refund | undefined> {
  return em.transactional(async (tx) => {
    await lockOrderReturns(tx, order.id);
    const request = await findReturn(tx, STAFF, returnId, true);
    const existing = await tx.findOne(Refund, { returnRequest: request.id });
    if (existing) return existing;
    returnStatuses.assertAllowed(request.id, request.status, 'processed');

    const items = await tx.find(ReturnItem, { returnRequest: request.id });
    const earlier = await earlierRefundsOf(tx, order.id, request.id);
    const lines = new Map<string, LineRefundInput>();
    for (const item of items) {
      const orderLine = order.lines.find((line) => line.id === item.orderItemId);
      if (!orderLine) throw new Error(`order ${order.id} has no line ${item.orderItemId}`);
      const previous = lines.get(item.orderItemId);
      lines.set(item.orderItemId, {
        lineAmount: lineAmountOf({ ...orderLine, pricesIncludeTax: order.pricesIncludeTax }),
        quantity: orderLine.quantity,
        refundedBefore: earlier.units.get(item.orderItemId) ?? 0,
        returning: (previous?.returning ?? 0) + item.quantity,
      });
    }
    const linesPaid = order.lines.reduce(
      (sum, line) => sum + lineAmountOf({ ...line, pricesIncludeTax: order.pricesIncludeTax }),
      0,
    );
    const outcome = returnRefundOf({
      lines,
      orderUnits: order.lines.reduce((sum, line) => sum + line.quantity, 0),
      orderUnitsRefundedBefore: [...earlier.units.values()].reduce((sum, units) => sum + units, 0),
      shippingPaid: order.grandTotalMinor - linesPaid,
      refundShipping: deps.refundShipping,
      stillRefundable: order.grandTotalMinor - earlier.amount,
    });
    for (const item of items) item.refundAmount = outcome.lines.get(item.orderItemId) ?? 0;
    request.refundAmount = outcome.total;
    if (outcome.total === 0) {
      await markProcessed(tx, request, staffId);
      return undefined;
    }
    const refund = tx.create(Refund, {
      returnRequest: request,
      paymentId: order.paymentId,
      orderId: order.id,
      userId: request.userId,
      refundMethod: 'original_payment',
      amount: outcome.total,
      currency: request.currency,
      status: 'processing',
      reason: `return ${request.rmaNumber}`,
      idempotencyKey: refundKeyOf(request.id),
    });
    await tx.flush();
    await publishEvent(tx, 'return', RefundRequestedEvent, {
      returnId: request.id,
      orderId: order.id,
      paymentId: order.paymentId,
      userId: request.userId,
      amount: money(request.currency, outcome.total),
      reason: `return ${request.rmaNumber}`,
      requestedAt: refund.createdAt,
    });
    return refund;
  });
}

/**
 * What the order's other returns already refunded: units per order line, and the amount. A return
 * counts once its refund is computed (a refund row), or once processed without one (nothing to pay).
 */
async function earlierRefundsOf(
  tx: EntityManager,
  orderId: string,
  exceptReturnId: string,
): Promise<{ units: Map<string, number>; amount: number }> {
  const counted = `SELECT r.id FROM return_requests r
     WHERE r.order_id = ? AND r.id <> ?
       AND (r.processed_at IS NOT NULL OR EXISTS (SELECT 1 FROM refunds f WHERE f.return_request_id = r.id))`;
  const units = await tx.execute<{ order_item_id: string; units: string }[]>(
    `SELECT order_item_id, sum(quantity)::text AS units FROM return_items
      WHERE return_request_id IN (${counted}) GROUP BY order_item_id`,
    [orderId, exceptReturnId],
  );
  const [amount] = await tx.execute<{ minor: string }[]>(
    `SELECT (coalesce(sum(amount), 0) * 100)::bigint::text AS minor FROM refunds WHERE order_id = ?`,
    [orderId],
  );
  return {
    units: new Map(units.map((row) => [row.order_item_id, Number(row.units)])),
    amount: Number(amount!.minor),
  };
}

async function markProcessed(tx: EntityManager, request: ReturnRequest, changedBy: string): Promise<void> {
  await returnStatuses.apply(
    tx,
    { id: request.id, from: request.status, to: 'processed', changedBy },
    async () => {
      request.status = 'processed';
      request.processedAt = new Date();
      await tx.flush();
    },
  );
}

/** Step 3: the payment service made the refund; recorded once. */
async function completeRefund(
  em: EntityManager,
  staffId: string,
  returnId: string,
  paymentRefundId: string,
): Promise<void> {
  await em.transactional(async (tx) => {
    const request = await findReturn(tx, STAFF, returnId, true);
    const refund = await tx.findOneOrFail(Refund, { returnRequest: request.id });
    if (refund.status === 'completed') return;
    const now = new Date();
    refund.status = 'completed';
    refund.paymentRefundId = paymentRefundId;
    refund.processedAt = now;
    await markProcessed(tx, request, staffId);
    await publishEvent(tx, 'return', ReturnRefundedEvent, {
      returnId: request.id,
      orderId: request.orderId,
      userId: request.userId,
      paymentId: refund.paymentId ?? '',
      paymentRefundId,
      amount: money(refund.currency, refund.amount),
      refundedAt: now,
    });
  });
}
