import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import { executePrepared } from '../../../../lib/db/prepared-statement.js';
import { insertOutboxRowFrom, outboxRowParams, outboxWritten } from '../../../../lib/events/index.js';
import { IDEMPOTENCY_RETENTION_DAYS, requestHashOf } from '../../../../lib/idempotency/idempotency-keys.js';
import { newId } from '../../../../lib/ids.js';
import { gatewayKeyOf, ledgerKeyOf, SCOPE_OF, type Operation, type Outcome } from './gateway-operation.js';
import { doneAnswer, type OperationAnswer } from './operation-answer.js';
import type { AuthorizeInput, CaptureInput } from './payment-input.js';
import {
  PAYMENT_COLUMNS,
  paymentMessage,
  paymentRecordOf,
  TRANSACTION_COLUMNS,
  transactionRecordOf,
  type PaymentRecord,
  type PaymentRow,
  type TransactionRow,
} from './payment-records.js';
import { eventRowOf, recordedAmountOf } from './settle-operation.js';

/*
 * The plain path of authorise and capture. Almost every call is a first request whose checks pass
 * and whose gateway says "succeeded"; that case is written here in one statement before the gateway
 * call and one after (each its own transaction), instead of a transaction of five to seven
 * statements each. Every other case (a repeat, a refusal, a decline, a lost answer, a race with a
 * webhook or the reconciler) goes the general way (authorize-payment.ts, capture-payment.ts,
 * settle-operation.ts), which stays the one place that decides it.
 *
 * So each statement here either does everything its general counterpart does for the plain case,
 * in one atomic statement, or nothing at all, and then answers undefined for the general way to
 * take over from the start. Locks are taken in the general way's order: the payment's row first.
 */

/** A pending operation written by a plain statement, and the version of its payment's row. */
export interface PlainOperation {
  operation: Operation;
  /**
   * The payment row's `xmin` as the statement left it: the row changes version with every update,
   * so the answer's statement finds it unchanged, or changes nothing.
   */
  version: string;
}

interface PlainRow {
  payment: PaymentRow & { version: string };
  operation: TransactionRow;
  provider_token?: string | null;
}

function plainOperationOf(
  row: PlainRow | undefined,
): (PlainOperation & { providerToken: string | null }) | undefined {
  if (!row) return undefined;
  return {
    operation: { payment: paymentRecordOf(row.payment), transaction: transactionRecordOf(row.operation) },
    version: row.payment.version,
    providerToken: row.provider_token ?? null,
  };
}

/**
 * A first authorisation in one statement: the key claimed, the pending payment and its pending
 * `authorize` transaction written, and the vaulted method's token read. Nothing is written (and
 * undefined answered) unless the key is new to the ledger and to the payments, and the method, if
 * one is named, is the customer's, not deleted and vaulted for this gateway. The token comes back
 * still encrypted.
 */
export async function beginPlainAuthorization(
  em: EntityManager,
  providerName: string,
  input: AuthorizeInput,
): Promise<(PlainOperation & { providerToken: string | null }) | undefined> {
  const { idempotencyKey: key, ...request } = input;
  const paymentId = newId();
  const [row] = await executePrepared<PlainRow>(
    em,
    'payment:begin-plain-authorization',
    `WITH method AS (
       SELECT provider_token FROM payment_methods
        WHERE id = :methodId::uuid AND user_id = :userId::uuid AND deleted_at IS NULL AND provider = :provider
     ), claim AS (
       INSERT INTO infra.idempotency_keys (scope, key, request_hash, status, expires_at)
       SELECT :scope, :key, :requestHash, 'in_progress', now() + make_interval(days => :retentionDays)
        WHERE NOT EXISTS (SELECT 1 FROM payments WHERE idempotency_key = :key)
          AND (:methodId::uuid IS NULL OR EXISTS (SELECT 1 FROM method))
       ON CONFLICT (scope, key) DO NOTHING
       RETURNING key
     ), payment AS (
       INSERT INTO payments (id, order_id, user_id, guest_email, payment_method_id, status, provider, amount,
                             currency, idempotency_key, request_hash)
       SELECT :paymentId, :orderId, :userId, :guestEmail, :methodId, 'pending', :provider, :amount,
              :currency, key, :requestHash
         FROM claim
       RETURNING ${PAYMENT_COLUMNS}, xmin::text AS version
     ), operation AS (
       INSERT INTO payment_transactions (id, payment_id, type, status, amount, currency, idempotency_key)
       SELECT :transactionId, id, 'authorize', 'pending', amount::numeric, currency, :gatewayKey FROM payment
       RETURNING ${TRANSACTION_COLUMNS}
     )
     SELECT row_to_json(payment) AS payment, row_to_json(operation) AS operation,
            (SELECT provider_token FROM method) AS provider_token
       FROM payment, operation`,
    {
      scope: SCOPE_OF.authorize,
      key,
      requestHash: requestHashOf(request),
      retentionDays: IDEMPOTENCY_RETENTION_DAYS,
      paymentId,
      orderId: input.orderId,
      userId: input.userId,
      guestEmail: input.guestEmail,
      methodId: input.paymentMethodId,
      provider: providerName,
      amount: minorUnitsToDecimal(input.amount.amountMinor),
      currency: input.amount.currencyCode,
      transactionId: newId(),
      gatewayKey: gatewayKeyOf('authorize', paymentId, key),
    },
  );
  return plainOperationOf(row);
}

/**
 * A first capture in one statement: under the payment's row lock, the key claimed and the pending
 * `capture` transaction written. Nothing is written (and undefined answered) unless the key is new
 * to the ledger and to the transactions, and the payment is authorised, in the amount's currency,
 * holds at least the amount, and has no capture or void done or under way.
 */
export async function beginPlainCapture(
  em: EntityManager,
  input: CaptureInput,
): Promise<PlainOperation | undefined> {
  const { idempotencyKey: key, ...request } = input;
  const rows = executePrepared<PlainRow>(
    em,
    'payment:begin-plain-capture',
    `WITH locked AS (
       SELECT payments.*, xmin::text AS version FROM payments WHERE id = :paymentId FOR UPDATE
     ), claim AS (
       INSERT INTO infra.idempotency_keys (scope, key, request_hash, status, expires_at)
       SELECT :scope, :key, :requestHash, 'in_progress', now() + make_interval(days => :retentionDays)
         FROM locked
        WHERE locked.status = 'authorized' AND locked.currency = :currency AND locked.amount_authorized >= :amount
          AND NOT EXISTS (SELECT 1 FROM payment_transactions
                           WHERE payment_id = locked.id AND type IN ('capture', 'void') AND status <> 'failed')
          AND NOT EXISTS (SELECT 1 FROM payment_transactions WHERE idempotency_key = :gatewayKey)
       ON CONFLICT (scope, key) DO NOTHING
       RETURNING key
     ), operation AS (
       INSERT INTO payment_transactions (id, payment_id, type, status, amount, currency, idempotency_key)
       SELECT :transactionId, locked.id, 'capture', 'pending', :amount, locked.currency, :gatewayKey
         FROM locked, claim
       RETURNING ${TRANSACTION_COLUMNS}
     ), payment AS (
       SELECT ${PAYMENT_COLUMNS}, version FROM locked
     )
     SELECT row_to_json(payment) AS payment, row_to_json(operation) AS operation FROM payment, operation`,
    {
      paymentId: input.paymentId,
      scope: SCOPE_OF.capture,
      key,
      requestHash: requestHashOf(request),
      retentionDays: IDEMPOTENCY_RETENTION_DAYS,
      currency: input.amount.currencyCode,
      amount: minorUnitsToDecimal(input.amount.amountMinor),
      transactionId: newId(),
      gatewayKey: gatewayKeyOf('capture', input.paymentId, key),
    },
  );
  // A capture or void committed while this one waited for the payment's lock: the statement saw the
  // payment before it, and the database's one-settlement index refused the second.
  const [row] = await rows.catch((error: unknown) => {
    if (error instanceof UniqueConstraintViolationException) return [];
    throw error;
  });
  return plainOperationOf(row);
}

/** The payment as a successful authorisation or capture of `amountMinor` leaves it, at `at`. */
function paymentAfter(
  payment: PaymentRecord,
  type: 'authorize' | 'capture',
  outcome: Extract<Outcome, { kind: 'succeeded' }>,
  amountMinor: number,
  at: Date,
): PaymentRecord {
  return type === 'authorize'
    ? {
        ...payment,
        status: 'authorized',
        providerPaymentId: outcome.gatewayPaymentId ?? payment.providerPaymentId,
        amountAuthorized: amountMinor,
        updatedAt: at,
      }
    : { ...payment, status: 'captured', amountCaptured: amountMinor, updatedAt: at };
}

/**
 * Records a successful authorisation or capture in one statement, as settleOperation would: the
 * transaction succeeded, the payment moved (status, amounts, gateway id), its event in the outbox
 * and the request's key completed with the answer. Only if the payment row is still the version
 * the plain statement before left and the transaction still pending; otherwise (and for any other
 * outcome) nothing is written and undefined answered, for settleOperation to decide.
 */
export async function settlePlainSuccess(
  em: EntityManager,
  { operation, version }: PlainOperation,
  outcome: Outcome,
): Promise<OperationAnswer | undefined> {
  const { payment, transaction } = operation;
  if (outcome.kind !== 'succeeded' || (transaction.type !== 'authorize' && transaction.type !== 'capture')) {
    return undefined;
  }
  const amountMinor = recordedAmountOf(transaction.type, transaction.amount, outcome);
  const at = new Date();
  const after = paymentAfter(payment, transaction.type, outcome, amountMinor, at);
  const answer = doneAnswer(paymentMessage(after));
  const event = eventRowOf(transaction.type, after, amountMinor, outcome, undefined)!;
  const ledger = ledgerKeyOf(transaction.idempotencyKey!);
  const [row] = await executePrepared<{ settled: number }>(
    em,
    'payment:settle-plain-success',
    `WITH locked AS (
       SELECT id FROM payments WHERE id = :paymentId AND xmin = :version::xid FOR UPDATE
     ), settled AS (
       UPDATE payment_transactions
          SET status = 'succeeded', provider_transaction_id = COALESCE(:operationId, provider_transaction_id),
              provider_response = :response, error_message = NULL, processed_at = now()
        WHERE id = :transactionId AND status = 'pending' AND EXISTS (SELECT 1 FROM locked)
       RETURNING id
     ), moved AS (
       UPDATE payments
          SET status = :status, provider_payment_id = :gatewayPaymentId, amount_authorized = :authorized,
              amount_captured = :captured, updated_at = :at,
              processed_at = CASE WHEN :authorizes THEN now() ELSE processed_at END
        WHERE id = :paymentId AND EXISTS (SELECT 1 FROM settled)
       RETURNING id
     ), announced AS (
       ${insertOutboxRowFrom('moved')}
     ), answered AS (
       UPDATE infra.idempotency_keys SET status = 'completed', response = :answer, completed_at = now()
        WHERE scope = :scope AND key = :key AND EXISTS (SELECT 1 FROM moved)
     )
     SELECT count(*)::int AS settled FROM moved`,
    {
      paymentId: payment.id,
      version,
      operationId: outcome.operationId,
      response: JSON.stringify(outcome.raw),
      transactionId: transaction.id,
      status: after.status,
      gatewayPaymentId: after.providerPaymentId,
      authorized: minorUnitsToDecimal(after.amountAuthorized),
      captured: minorUnitsToDecimal(after.amountCaptured),
      at,
      authorizes: transaction.type === 'authorize',
      ...outboxRowParams(event),
      answer: Buffer.from(JSON.stringify(answer)),
      scope: ledger.scope,
      key: ledger.key,
    },
  );
  if (row?.settled !== 1) return undefined;
  outboxWritten(em, event);
  return answer;
}
