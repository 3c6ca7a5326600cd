import type { EntityManager } from '@mikro-orm/postgresql';
import { PaymentReason } from '../../../../lib/error-reasons.js';
import { failedPrecondition, invalidArgument } from '../../../../lib/errors.js';
import { minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import type { Money } from '../../../../lib/money.js';
import { completeIdempotencyKey } from '../../../../lib/idempotency/idempotency-keys.js';
import { newId } from '../../../../lib/ids.js';
import type { PaymentTransactionType } from '../entities/payment-transaction.js';
import type { PaymentProvider } from '../providers/payment-provider.js';
import { gatewayKeyOf, SCOPE_OF } from './gateway-operation.js';
import { carryOut, claimOperation, resumeOrWait, type Begun } from './money-operation.js';
import { beginPlainCapture } from './plain-path.js';
import type { OperationResult } from './operation-answer.js';
import type { CaptureInput } from './payment-input.js';
import {
  findTransaction,
  requirePayment,
  TRANSACTION_COLUMNS,
  transactionRecordOf,
  type PaymentRecord,
  type TransactionRow,
} from './payment-records.js';
import { settledAnswer } from './settle-operation.js';

/** The currency of an amount must be the payment's (INVALID_ARGUMENT on the field). */
export function requireCurrencyOf(payment: PaymentRecord, amount: Money): void {
  if (amount.currencyCode !== payment.currency) {
    throw invalidArgument('amount.currency_code', `must be the payment's currency, ${payment.currency}`);
  }
}

/** A capture or void of the payment already under way or done (at most one, as the database holds). */
export async function refuseSecondSettlement(tx: EntityManager, paymentId: string): Promise<void> {
  const [busy] = await tx.execute<{ type: string; status: string }[]>(
    `SELECT type, status FROM payment_transactions
      WHERE payment_id = ? AND type IN ('capture', 'void') AND status <> 'failed'`,
    [paymentId],
  );
  if (busy) {
    throw failedPrecondition(
      `a ${busy.type} of payment ${paymentId} is ${busy.status === 'succeeded' ? 'done' : 'under way'}`,
      PaymentReason.PAYMENT_OPERATION_IN_PROGRESS,
    );
  }
}

/**
 * The start shared by capture and void once the key is claimed or found: a repeat's answer, a
 * request found in progress (resumed if its answer is lost), or the transaction whose gateway key
 * names this request (a repeat after the ledger's retention).
 */
export async function begunFromKey(
  tx: EntityManager,
  type: PaymentTransactionType,
  claim: Awaited<ReturnType<typeof claimOperation>>,
  paymentId: string,
  key: string,
): Promise<Begun | undefined> {
  if (claim.state === 'completed') return { kind: 'replay', answer: claim.answer };
  const earlier = await findTransaction(tx, { idempotencyKey: gatewayKeyOf(type, paymentId, key) });
  if (claim.state === 'in_progress') return resumeOrWait(earlier, key);
  if (earlier && earlier.status !== 'pending' && earlier.status !== 'unknown') {
    // The ledger's entry expired, the transaction's key did not.
    const answer = await settledAnswer(tx, earlier.id);
    await completeIdempotencyKey(tx, SCOPE_OF[type], key, answer);
    return { kind: 'replay', answer };
  }
  return earlier ? { kind: 'resume', transactionId: earlier.id } : undefined;
}

/** Writes a pending transaction of the payment, to be sent to the gateway. */
export async function pendingTransaction(
  tx: EntityManager,
  type: PaymentTransactionType,
  payment: PaymentRecord,
  amountMinor: number,
  key: string,
): Promise<Begun> {
  const [row] = await tx.execute<TransactionRow[]>(
    `INSERT INTO payment_transactions (id, payment_id, type, status, amount, currency, idempotency_key)
     VALUES (?, ?, ?, 'pending', ?, ?, ?) RETURNING ${TRANSACTION_COLUMNS}`,
    [
      newId(),
      payment.id,
      type,
      minorUnitsToDecimal(amountMinor),
      payment.currency,
      gatewayKeyOf(type, payment.id, key),
    ],
  );
  return { kind: 'send', operation: { payment, transaction: transactionRecordOf(row!) } };
}

/**
 * Captures all or part of an authorised payment, once: the amount is sent to the gateway. Under
 * the payment's row lock: it must be authorised (PAYMENT_NOT_CAPTURABLE), with no capture or void
 * under way (PAYMENT_OPERATION_IN_PROGRESS), and the amount at most the hold
 * (AMOUNT_EXCEEDS_AUTHORIZED). Idempotent by key (scope `capture-payment`). A first request whose
 * checks pass takes the plain path (plain-path.ts), everything else the transaction below.
 */
export async function capturePayment(
  em: EntityManager,
  provider: PaymentProvider,
  input: CaptureInput,
): Promise<OperationResult> {
  const plain = await beginPlainCapture(em, input);
  if (plain) return carryOut(em, provider, { kind: 'send-plain', plain });
  const { idempotencyKey: key, ...request } = input;
  const begun = await em.transactional(async (tx): Promise<Begun> => {
    // The payment's lock before the key's, in the plain statement's order: no deadlock between them.
    const payment = await requirePayment(tx, input.paymentId, true);
    const claim = await claimOperation(tx, { scope: SCOPE_OF.capture, key, request });
    const found = await begunFromKey(tx, 'capture', claim, input.paymentId, key);
    if (found) return found;
    requireCurrencyOf(payment, input.amount);
    if (payment.status !== 'authorized') {
      throw failedPrecondition(
        `payment ${payment.id} is ${payment.status}; only an authorised payment can be captured`,
        PaymentReason.PAYMENT_NOT_CAPTURABLE,
        { status: payment.status },
      );
    }
    await refuseSecondSettlement(tx, payment.id);
    if (input.amount.amountMinor > payment.amountAuthorized) {
      throw failedPrecondition(
        `payment ${payment.id} has ${payment.amountAuthorized} authorised; ${input.amount.amountMinor} cannot be captured`,
        PaymentReason.AMOUNT_EXCEEDS_AUTHORIZED,
        { authorized_minor: String(payment.amountAuthorized) },
      );
    }
    return pendingTransaction(tx, 'capture', payment, input.amount.amountMinor, key);
  });
  return carryOut(em, provider, begun);
}
