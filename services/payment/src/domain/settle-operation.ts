import type { EntityManager } from '@mikro-orm/postgresql';
import { decimalToMinorUnits, minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import {
  PaymentAuthorizedEvent,
  PaymentCapturedEvent,
  PaymentFailedEvent,
  PaymentRefundedEvent,
  PaymentVoidedEvent,
} from '../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { completeIdempotencyKey } from '../../../../lib/idempotency/idempotency-keys.js';
import type { PaymentStatus } from '../entities/payment.js';
import type { PaymentTransactionType } from '../entities/payment-transaction.js';
import { ledgerKeyOf, type FinalOutcome } from './gateway-operation.js';
import { doneAnswer, type OperationAnswer } from './operation-answer.js';
import {
  findRefund,
  findTransaction,
  paymentMessage,
  refundMessage,
  requirePayment,
  type PaymentRecord,
} from './payment-records.js';
import { paymentStatuses } from './payment-status.js';

const SOURCE = 'payment';

interface SettledRow {
  payment_id: string;
  type: PaymentTransactionType;
  amount: string;
  idempotency_key: string | null;
}

async function moveTo(
  tx: EntityManager,
  payment: PaymentRecord,
  to: PaymentStatus,
  by: string,
): Promise<void> {
  if (!paymentStatuses.allows(payment.status, to)) return;
  await paymentStatuses.apply(tx, { id: payment.id, from: payment.status, to, changedBy: by }, (t) =>
    t.execute(`UPDATE payments SET status = ?, updated_at = now() WHERE id = ?`, [to, payment.id], 'run'),
  );
}

const money = (payment: PaymentRecord, amountMinor: number) => ({
  currencyCode: payment.currency,
  amountMinor,
});

/** The payment's side of a succeeded operation, and its event. */
async function applySucceeded(
  tx: EntityManager,
  type: PaymentTransactionType,
  transactionId: string,
  payment: PaymentRecord,
  amountMinor: number,
  outcome: Extract<FinalOutcome, { kind: 'succeeded' }>,
  by: string,
): Promise<void> {
  const amount = minorUnitsToDecimal(amountMinor);
  const userId = payment.userId ?? '';
  const base = { paymentId: payment.id, orderId: payment.orderId, userId };
  switch (type) {
    case 'authorize':
      await tx.execute(
        `UPDATE payments SET provider_payment_id = COALESCE(?, provider_payment_id), amount_authorized = ?,
                processed_at = now(), updated_at = now() WHERE id = ?`,
        [outcome.gatewayPaymentId, amount, payment.id],
        'run',
      );
      await moveTo(tx, payment, 'authorized', by);
      await publishEvent(tx, SOURCE, PaymentAuthorizedEvent, {
        ...base,
        amount: money(payment, amountMinor),
        authorizedAt: new Date(),
      });
      return;
    case 'capture':
      await tx.execute(
        `UPDATE payments SET amount_captured = ?, updated_at = now() WHERE id = ?`,
        [amount, payment.id],
        'run',
      );
      await moveTo(tx, payment, 'captured', by);
      await publishEvent(tx, SOURCE, PaymentCapturedEvent, {
        ...base,
        amount: money(payment, amountMinor),
        capturedAt: new Date(),
      });
      return;
    case 'void':
      await moveTo(tx, payment, 'voided', by);
      await publishEvent(tx, SOURCE, PaymentVoidedEvent, {
        ...base,
        amount: money(payment, payment.amountAuthorized),
        voidedAt: new Date(),
      });
      return;
    case 'refund': {
      const [row] = await tx.execute<{ fully: boolean }[]>(
        `UPDATE payments SET amount_refund_reserved = amount_refund_reserved - ?,
                amount_refunded = amount_refunded + ?, updated_at = now()
          WHERE id = ? RETURNING amount_refunded = amount_captured AS fully`,
        [amount, amount, payment.id],
      );
      await moveTo(tx, payment, row!.fully ? 'refunded' : 'partially_refunded', by);
      const refund = (await findRefund(tx, { paymentTransactionId: transactionId }))!;
      await tx.execute(
        `UPDATE refunds SET status = 'completed', provider_refund_id = ?, processed_at = now(), updated_at = now()
          WHERE id = ?`,
        [outcome.operationId, refund.id],
        'run',
      );
      await publishEvent(tx, SOURCE, PaymentRefundedEvent, {
        refundId: refund.id,
        ...base,
        returnId: refund.returnRequestId ?? '',
        amount: money(payment, amountMinor),
        refundedAt: new Date(),
      });
      return;
    }
  }
}

/** The payment's side of a declined operation (a decline moved no money), and its event. */
async function applyDeclined(
  tx: EntityManager,
  type: PaymentTransactionType,
  transactionId: string,
  payment: PaymentRecord,
  amountMinor: number,
  outcome: Extract<FinalOutcome, { kind: 'declined' }>,
  by: string,
): Promise<void> {
  if (type === 'authorize') {
    await tx.execute(
      `UPDATE payments SET failure_code = ?, failure_message = ?, processed_at = now(), updated_at = now() WHERE id = ?`,
      [outcome.declineCode, outcome.message, payment.id],
      'run',
    );
    await moveTo(tx, payment, 'failed', by);
    await publishEvent(tx, SOURCE, PaymentFailedEvent, {
      paymentId: payment.id,
      orderId: payment.orderId,
      userId: payment.userId ?? '',
      amount: money(payment, payment.amount),
      declineCode: outcome.declineCode,
      failedAt: new Date(),
    });
  }
  if (type === 'refund') {
    // The reserved amount goes back: it may be refunded again.
    await tx.execute(
      `UPDATE payments SET amount_refund_reserved = amount_refund_reserved - ?, updated_at = now() WHERE id = ?`,
      [minorUnitsToDecimal(amountMinor), payment.id],
      'run',
    );
    await tx.execute(
      `UPDATE refunds SET status = 'failed', failure_message = ?, processed_at = now(), updated_at = now()
        WHERE payment_transaction_id = ?`,
      [outcome.message, transactionId],
      'run',
    );
  }
}

/** The answer the request of this transaction gets, from the payment as it is now. */
async function answerNow(tx: EntityManager, transactionId: string): Promise<OperationAnswer> {
  const transaction = (await findTransaction(tx, { id: transactionId }))!;
  const payment = await requirePayment(tx, transaction.paymentId);
  if (transaction.status === 'failed') {
    return {
      kind: 'declined',
      paymentId: payment.id,
      declineCode: (transaction.type === 'authorize' ? payment.failureCode : null) ?? 'card_declined',
      message: transaction.errorMessage ?? 'declined',
    };
  }
  const refund =
    transaction.type === 'refund' ? await findRefund(tx, { paymentTransactionId: transactionId }) : undefined;
  return doneAnswer(paymentMessage(payment), refund && refundMessage(refund));
}

/** The ledger's stored answer of a gateway key, or undefined (not completed, or purged). */
async function storedAnswer(tx: EntityManager, gatewayKey: string): Promise<OperationAnswer | undefined> {
  const { scope, key } = ledgerKeyOf(gatewayKey);
  const [row] = await tx.execute<{ status: string; response: Uint8Array | null }[]>(
    'SELECT status, response FROM infra.idempotency_keys WHERE scope = ? AND key = ?',
    [scope, key],
  );
  if (row?.status !== 'completed' || !row.response) return undefined;
  return JSON.parse(Buffer.from(row.response).toString('utf8')) as OperationAnswer;
}

/** The answer of a transaction already settled: as its request's key stored it, else as it is now. */
export async function settledAnswer(em: EntityManager, transactionId: string): Promise<OperationAnswer> {
  const transaction = (await findTransaction(em, { id: transactionId }))!;
  const stored = transaction.idempotencyKey ? await storedAnswer(em, transaction.idempotencyKey) : undefined;
  return stored ?? answerNow(em, transactionId);
}

/**
 * Records the gateway's final answer to one operation, exactly once: the transaction leaves
 * `pending`/`unknown` by a conditional update, so of the RPC, its retry, a webhook and the
 * reconciler, the first to record it applies it to the payment (status, amounts, refund, event)
 * and completes the request's idempotency key with the answer; the others change nothing and
 * get that same answer.
 */
export async function settleOperation(
  em: EntityManager,
  transactionId: string,
  outcome: FinalOutcome,
  by = 'system',
): Promise<OperationAnswer> {
  return em.transactional(async (tx) => {
    const succeeded = outcome.kind === 'succeeded';
    const [won] = await tx.execute<SettledRow[]>(
      `UPDATE payment_transactions
          SET status = ?, provider_transaction_id = COALESCE(?, provider_transaction_id),
              provider_response = ?, error_message = ?, processed_at = now()
        WHERE id = ? AND status IN ('pending', 'unknown')
        RETURNING payment_id, type, amount::text AS amount, idempotency_key`,
      [
        succeeded ? 'succeeded' : 'failed',
        succeeded ? outcome.operationId : null,
        JSON.stringify(outcome.raw),
        succeeded ? null : outcome.message,
        transactionId,
      ],
    );
    if (!won) return settledAnswer(tx, transactionId);
    const payment = await requirePayment(tx, won.payment_id, true);
    // What the gateway holds or captured is its word; a refund moves what was reserved for it.
    const sent = decimalToMinorUnits(won.amount);
    const amountMinor =
      succeeded && won.type !== 'refund' && outcome.amountMinor > 0 ? outcome.amountMinor : sent;
    if (outcome.kind === 'succeeded')
      await applySucceeded(tx, won.type, transactionId, payment, amountMinor, outcome, by);
    else await applyDeclined(tx, won.type, transactionId, payment, amountMinor, outcome, by);
    const answer = await answerNow(tx, transactionId);
    if (won.idempotency_key) {
      const { scope, key } = ledgerKeyOf(won.idempotency_key);
      await completeIdempotencyKey(tx, scope, key, answer);
    }
    return answer;
  });
}

/** Marks a transaction whose answer was lost; it stays so until the gateway tells. */
export async function markUnknown(em: EntityManager, transactionId: string, message: string): Promise<void> {
  await em.execute(
    `UPDATE payment_transactions SET status = 'unknown', error_message = ? WHERE id = ? AND status = 'pending'`,
    [message, transactionId],
    'run',
  );
}
