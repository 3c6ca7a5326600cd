import type { EntityManager } from '@mikro-orm/postgresql';
import { PaymentReason } from '../../../../lib/error-reasons.js';
import { failedPrecondition } from '../../../../lib/errors.js';
import { minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import {
  completeIdempotencyKey,
  idempotencyKeyReused,
  requestHashOf,
} from '../../../../lib/idempotency/idempotency-keys.js';
import { newId } from '../../../../lib/ids.js';
import type { PaymentProvider } from '../providers/payment-provider.js';
import { requireCurrencyOf } from './capture-payment.js';
import { gatewayKeyOf, SCOPE_OF } from './gateway-operation.js';
import { carryOut, claimOperation, resumeOrWait, type Begun } from './money-operation.js';
import type { OperationResult } from './operation-answer.js';
import type { RefundInput } from './payment-input.js';
import {
  findPayment,
  findRefund,
  findTransaction,
  PAYMENT_COLUMNS,
  paymentRecordOf,
  REFUND_COLUMNS,
  refundRecordOf,
  requirePayment,
  TRANSACTION_COLUMNS,
  transactionRecordOf,
  type PaymentRecord,
  type PaymentRow,
  type RefundRow,
  type TransactionRow,
} from './payment-records.js';
import { settledAnswer } from './settle-operation.js';

/**
 * Reserves `amountMinor` for a refund by one conditional UPDATE: it succeeds only while the
 * payment is captured and refunded + reserved + amount stays within the capture, so any number of
 * concurrent refunds never reserve more than was captured (the CHECK of payments holds it too).
 */
async function reserveRefund(
  tx: EntityManager,
  paymentId: string,
  amountMinor: number,
): Promise<PaymentRecord | undefined> {
  const amount = minorUnitsToDecimal(amountMinor);
  const [reserved] = await tx.execute<PaymentRow[]>(
    `UPDATE payments SET amount_refund_reserved = amount_refund_reserved + ?, updated_at = now()
      WHERE id = ? AND status IN ('captured', 'partially_refunded')
        AND amount_refunded + amount_refund_reserved + ? <= amount_captured
      RETURNING ${PAYMENT_COLUMNS}`,
    [amount, paymentId, amount],
  );
  return reserved && paymentRecordOf(reserved);
}

/**
 * Refunds part or all of a captured payment; repeatable, each with its own key (scope
 * `refund-payment`), up to the capture. The amount is reserved on the payment in the transaction
 * that claims the key and writes the pending refund, before the gateway is called; a decline gives
 * it back (settleOperation). Too much is FAILED_PRECONDITION AMOUNT_EXCEEDS_REFUNDABLE with what
 * is left, refunds under way counted.
 */
export async function refundPayment(
  em: EntityManager,
  provider: PaymentProvider,
  input: RefundInput,
): Promise<OperationResult> {
  const { idempotencyKey: key, ...request } = input;
  const keyed = { scope: SCOPE_OF.refund, key, request };
  const requestHash = requestHashOf(request);
  const begun = await em.transactional(async (tx): Promise<Begun> => {
    const claim = await claimOperation(tx, keyed);
    if (claim.state === 'completed') return { kind: 'replay', answer: claim.answer };
    const earlier = await findRefund(tx, { idempotencyKey: key });
    if (claim.state === 'in_progress') {
      const transaction = earlier?.paymentTransactionId
        ? await findTransaction(tx, { id: earlier.paymentTransactionId })
        : undefined;
      return resumeOrWait(transaction, key);
    }
    if (earlier) {
      // The ledger's entry expired, the refund's key did not.
      if (earlier.requestHash !== requestHash) throw idempotencyKeyReused(key);
      const answer = await settledAnswer(tx, earlier.paymentTransactionId!);
      await completeIdempotencyKey(tx, keyed.scope, key, answer);
      return { kind: 'replay', answer };
    }
    const payment = await requirePayment(tx, input.paymentId);
    requireCurrencyOf(payment, input.amount);
    const reserved = await reserveRefund(tx, payment.id, input.amount.amountMinor);
    if (!reserved) {
      const now = (await findPayment(tx, { id: payment.id }))!;
      const refundable = ['captured', 'partially_refunded'].includes(now.status)
        ? now.amountCaptured - now.amountRefunded - now.amountRefundReserved
        : 0;
      throw failedPrecondition(
        `payment ${payment.id} has ${refundable} left to refund; ${input.amount.amountMinor} cannot be refunded`,
        PaymentReason.AMOUNT_EXCEEDS_REFUNDABLE,
        { refundable_minor: String(refundable) },
      );
    }
    const amount = minorUnitsToDecimal(input.amount.amountMinor);
    const [transactionRow] = await tx.execute<TransactionRow[]>(
      `INSERT INTO payment_transactions (id, payment_id, type, status, amount, currency, idempotency_key)
       VALUES (?, ?, 'refund', 'pending', ?, ?, ?) RETURNING ${TRANSACTION_COLUMNS}`,
      [newId(), payment.id, amount, payment.currency, gatewayKeyOf('refund', payment.id, key)],
    );
    const transaction = transactionRecordOf(transactionRow!);
    const [refundRow] = await tx.execute<RefundRow[]>(
      `INSERT INTO refunds (id, payment_id, order_id, return_request_id, reason, amount, currency, status,
                            idempotency_key, request_hash, payment_transaction_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING ${REFUND_COLUMNS}`,
      [
        newId(),
        payment.id,
        payment.orderId,
        input.returnId,
        input.reason,
        amount,
        payment.currency,
        key,
        requestHash,
        transaction.id,
      ],
    );
    return {
      kind: 'send',
      operation: { payment: reserved, transaction, refund: refundRecordOf(refundRow!) },
    };
  });
  return carryOut(em, provider, begun);
}
