import type { EntityManager } from '@mikro-orm/postgresql';
import { isAppError } from '../../../../lib/errors.js';
import type { PaymentProvider } from '../providers/payment-provider.js';
import { resolveOperation, STALE_PENDING_MS } from './money-operation.js';
import { findPayment } from './payment-records.js';
import { refundPayment } from './refund-payment.js';
import { voidPayment } from './void-payment.js';

/** What the reconciler did about one payment or transaction, for its log line and metric. */
export interface Resolution {
  action:
    | 'outcome_resolved'
    | 'outcome_still_unknown'
    | 'orphan_voided'
    | 'orphan_refunded'
    | 'orphan_not_returned';
  paymentId: string;
  transactionId?: string;
  detail?: string;
}

/**
 * Operations whose answer was lost (`unknown`), or whose process died before recording it
 * (`pending` for longer than STALE_PENDING_MS), oldest first, at most `batch`: each is resolved by
 * asking the gateway (resolveOperation), recorded once whichever replica gets there first.
 */
export async function resolveUnknownOutcomes(
  em: EntityManager,
  provider: PaymentProvider,
  batch: number,
): Promise<Resolution[]> {
  const rows = await em.execute<{ id: string; payment_id: string }[]>(
    `SELECT id, payment_id FROM payment_transactions
      WHERE status = 'unknown' OR (status = 'pending' AND created_at < now() - make_interval(secs => ?))
      ORDER BY created_at LIMIT ?`,
    [STALE_PENDING_MS / 1000, batch],
  );
  const resolutions: Resolution[] = [];
  for (const row of rows) {
    const answer = await resolveOperation(em.fork(), provider, row.id);
    resolutions.push({
      action: answer ? 'outcome_resolved' : 'outcome_still_unknown',
      paymentId: row.payment_id,
      transactionId: row.id,
      ...(answer ? { detail: answer.kind } : {}),
    });
  }
  return resolutions;
}

/**
 * Payments holding money with no confirmed order (order.order.confirmed) for longer than
 * `graceMs`, oldest first, at most `batch`: an authorised one is voided, a captured one refunded
 * of what is left. Through the same operations as the RPCs, with keys derived from the payment
 * (and amount), so replicas doing it at once make one gateway call.
 */
export async function returnOrphanedPayments(
  em: EntityManager,
  provider: PaymentProvider,
  graceMs: number,
  batch: number,
): Promise<Resolution[]> {
  const rows = await em.execute<{ id: string }[]>(
    `SELECT id FROM payments
      WHERE order_confirmed_at IS NULL AND status IN ('authorized', 'captured', 'partially_refunded')
        AND created_at < now() - make_interval(secs => ?)
      ORDER BY created_at LIMIT ?`,
    [graceMs / 1000, batch],
  );
  const resolutions: Resolution[] = [];
  for (const { id } of rows) {
    const payment = (await findPayment(em.fork(), { id }))!;
    try {
      if (payment.status === 'authorized') {
        await voidPayment(em.fork(), provider, { paymentId: id, idempotencyKey: `orphan-void-${id}` });
        resolutions.push({ action: 'orphan_voided', paymentId: id });
        continue;
      }
      const refundable = payment.amountCaptured - payment.amountRefunded - payment.amountRefundReserved;
      if (refundable <= 0) continue;
      await refundPayment(em.fork(), provider, {
        paymentId: id,
        amount: { currencyCode: payment.currency, amountMinor: refundable },
        reason: 'no confirmed order within the grace period',
        returnId: null,
        idempotencyKey: `orphan-refund-${refundable}-${id}`,
      });
      resolutions.push({ action: 'orphan_refunded', paymentId: id, detail: String(refundable) });
    } catch (error) {
      if (!isAppError(error)) throw error;
      resolutions.push({ action: 'orphan_not_returned', paymentId: id, detail: error.message });
    }
  }
  return resolutions;
}
