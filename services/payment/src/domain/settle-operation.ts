import type { EntityManager } from '@mikro-orm/postgresql';
import { decimalToMinorUnits, minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import {
  PaymentAuthorizedEvent,
  PaymentCapturedEvent,
  PaymentFailedEvent,
  PaymentRefundedEvent,
  PaymentVoidedEvent,
} from '../../../../lib/events/catalog.js';
import { outboxRowOf, writeOutboxRow, type OutboxRow } from '../../../../lib/events/index.js';
import { completeIdempotencyKey } from '../../../../lib/idempotency/idempotency-keys.js';
import type { PaymentStatus } from '../entities/payment.js';
import type { PaymentTransactionType } from '../entities/payment-transaction.js';
import { ledgerKeyOf, type FinalOutcome } from './gateway-operation.js';
import { doneAnswer, type OperationAnswer } from './operation-answer.js';
import {
  findRefund,
  findTransaction,
  PAYMENT_COLUMNS,
  paymentMessage,
  paymentRecordOf,
  REFUND_COLUMNS,
  refundMessage,
  refundRecordOf,
  requirePayment,
  type PaymentRecord,
  type PaymentRow,
  type RefundRecord,
  type RefundRow,
} from './payment-records.js';
import { paymentStatuses } from './payment-status.js';

const SOURCE = 'payment';

interface SettledRow {
  type: PaymentTransactionType;
  amount: string;
  idempotency_key: string | null;
}

/** What an outcome changes on its payment: columns (`column = <sql>` with parameters) and status. */
interface PaymentChange {
  sets: { sql: string; params: unknown[] }[];
  to: PaymentStatus | null;
}

function changeOf(
  type: PaymentTransactionType,
  payment: PaymentRecord,
  amountMinor: number,
  outcome: FinalOutcome,
): PaymentChange {
  const amount = minorUnitsToDecimal(amountMinor);
  if (outcome.kind === 'declined') {
    if (type === 'authorize') {
      return {
        sets: [
          { sql: 'failure_code = ?', params: [outcome.declineCode] },
          { sql: 'failure_message = ?', params: [outcome.message] },
          { sql: 'processed_at = now()', params: [] },
        ],
        to: 'failed',
      };
    }
    // A declined refund gives its reserved amount back: it may be refunded again.
    if (type === 'refund') {
      return {
        sets: [{ sql: 'amount_refund_reserved = amount_refund_reserved - ?', params: [amount] }],
        to: null,
      };
    }
    return { sets: [], to: null };
  }
  switch (type) {
    case 'authorize':
      return {
        sets: [
          {
            sql: 'provider_payment_id = COALESCE(?, provider_payment_id)',
            params: [outcome.gatewayPaymentId],
          },
          { sql: 'amount_authorized = ?', params: [amount] },
          { sql: 'processed_at = now()', params: [] },
        ],
        to: 'authorized',
      };
    case 'capture':
      return { sets: [{ sql: 'amount_captured = ?', params: [amount] }], to: 'captured' };
    case 'void':
      return { sets: [], to: 'voided' };
    case 'refund':
      return {
        sets: [
          { sql: 'amount_refund_reserved = amount_refund_reserved - ?', params: [amount] },
          { sql: 'amount_refunded = amount_refunded + ?', params: [amount] },
        ],
        // The row is locked: what it says plus this refund is exact.
        to:
          payment.amountRefunded + amountMinor >= payment.amountCaptured ? 'refunded' : 'partially_refunded',
      };
  }
}

/**
 * Writes the change in one UPDATE; the status through the state machine, only when its table
 * allows the move (never back: a late answer to a payment already past it changes its amounts, not
 * its status).
 */
async function writeChange(
  tx: EntityManager,
  payment: PaymentRecord,
  change: PaymentChange,
  by: string,
): Promise<PaymentRecord> {
  const moves = change.to !== null && paymentStatuses.allows(payment.status, change.to);
  const sets = moves ? [{ sql: 'status = ?', params: [change.to] }, ...change.sets] : change.sets;
  if (sets.length === 0) return payment;
  let updated = payment;
  const write = async (t: EntityManager) => {
    const [row] = await t.execute<PaymentRow[]>(
      `UPDATE payments SET ${[...sets.map((s) => s.sql), 'updated_at = now()'].join(', ')}
        WHERE id = ? RETURNING ${PAYMENT_COLUMNS}`,
      [...sets.flatMap((s) => s.params), payment.id],
    );
    updated = paymentRecordOf(row!);
  };
  if (moves) {
    await paymentStatuses.apply(
      tx,
      { id: payment.id, from: payment.status, to: change.to!, changedBy: by },
      write,
    );
  } else {
    await write(tx);
  }
  return updated;
}

const money = (payment: PaymentRecord, amountMinor: number) => ({
  currencyCode: payment.currency,
  amountMinor,
});

/** The outbox row of a recorded outcome's event, if it has one: `payment` as the outcome left it. */
export function eventRowOf(
  type: PaymentTransactionType,
  payment: PaymentRecord,
  amountMinor: number,
  outcome: FinalOutcome,
  refund: RefundRecord | undefined,
): OutboxRow | undefined {
  const base = { paymentId: payment.id, orderId: payment.orderId, userId: payment.userId ?? '' };
  const at = new Date();
  if (outcome.kind === 'declined') {
    if (type !== 'authorize') return undefined;
    return outboxRowOf(SOURCE, PaymentFailedEvent, {
      ...base,
      amount: money(payment, payment.amount),
      declineCode: outcome.declineCode,
      failedAt: at,
    });
  }
  switch (type) {
    case 'authorize':
      return outboxRowOf(SOURCE, PaymentAuthorizedEvent, {
        ...base,
        amount: money(payment, amountMinor),
        authorizedAt: at,
      });
    case 'capture':
      return outboxRowOf(SOURCE, PaymentCapturedEvent, {
        ...base,
        amount: money(payment, amountMinor),
        capturedAt: at,
      });
    case 'void':
      return outboxRowOf(SOURCE, PaymentVoidedEvent, {
        ...base,
        amount: money(payment, payment.amountAuthorized),
        voidedAt: at,
      });
    case 'refund':
      return outboxRowOf(SOURCE, PaymentRefundedEvent, {
        refundId: refund!.id,
        ...base,
        returnId: refund!.returnRequestId ?? '',
        amount: money(payment, amountMinor),
        refundedAt: at,
        // The payment as this refund left it: whether it is now refunded in full.
        amountCaptured: money(payment, payment.amountCaptured),
        amountRefundedTotal: money(payment, payment.amountRefunded),
      });
  }
}

/** A refund's row follows its operation's outcome. */
async function settleRefundRow(
  tx: EntityManager,
  transactionId: string,
  outcome: FinalOutcome,
): Promise<RefundRecord> {
  const [row] = await tx.execute<RefundRow[]>(
    outcome.kind === 'succeeded'
      ? `UPDATE refunds SET status = 'completed', provider_refund_id = ?, processed_at = now(), updated_at = now()
          WHERE payment_transaction_id = ? RETURNING ${REFUND_COLUMNS}`
      : `UPDATE refunds SET status = 'failed', failure_message = ?, processed_at = now(), updated_at = now()
          WHERE payment_transaction_id = ? RETURNING ${REFUND_COLUMNS}`,
    [outcome.kind === 'succeeded' ? outcome.operationId : outcome.message, transactionId],
  );
  return refundRecordOf(row!);
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
 * The amount an outcome records for an operation sent with `sentMinor`: what the gateway holds or
 * captured is its word; a refund (and a decline) moves what was sent, reserved for it.
 */
export function recordedAmountOf(
  type: PaymentTransactionType,
  sentMinor: number,
  outcome: FinalOutcome,
): number {
  return outcome.kind === 'succeeded' && type !== 'refund' && outcome.amountMinor > 0
    ? outcome.amountMinor
    : sentMinor;
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
    // The payment's lock first, as every other writer takes it (payment, then its transactions):
    // a webhook and an RPC recording the same answer wait for each other instead of deadlocking.
    const [lockedRow] = await tx.execute<PaymentRow[]>(
      `SELECT ${PAYMENT_COLUMNS} FROM payments
        WHERE id = (SELECT payment_id FROM payment_transactions WHERE id = ?) FOR UPDATE`,
      [transactionId],
    );
    const [won] = await tx.execute<SettledRow[]>(
      `UPDATE payment_transactions
          SET status = ?, provider_transaction_id = COALESCE(?, provider_transaction_id),
              provider_response = ?, error_message = ?, processed_at = now()
        WHERE id = ? AND status IN ('pending', 'unknown')
        RETURNING type, amount::text AS amount, idempotency_key`,
      [
        succeeded ? 'succeeded' : 'failed',
        succeeded ? outcome.operationId : null,
        JSON.stringify(outcome.raw),
        succeeded ? null : outcome.message,
        transactionId,
      ],
    );
    if (!won) return settledAnswer(tx, transactionId);
    const locked = paymentRecordOf(lockedRow!);
    const amountMinor = recordedAmountOf(won.type, decimalToMinorUnits(won.amount), outcome);
    const payment = await writeChange(tx, locked, changeOf(won.type, locked, amountMinor, outcome), by);
    const refund = won.type === 'refund' ? await settleRefundRow(tx, transactionId, outcome) : undefined;
    const event = eventRowOf(won.type, payment, amountMinor, outcome, refund);
    if (event) await writeOutboxRow(tx, event);
    const answer: OperationAnswer =
      outcome.kind === 'declined'
        ? {
            kind: 'declined',
            paymentId: payment.id,
            declineCode: outcome.declineCode,
            message: outcome.message,
          }
        : doneAnswer(paymentMessage(payment), refund && refundMessage(refund));
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
