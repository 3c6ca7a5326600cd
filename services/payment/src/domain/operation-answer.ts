import { Payment, Refund } from '../../../../gen/ecommerce/payment/v1/payment.js';
import { PaymentReason } from '../../../../lib/error-reasons.js';
import { failedPrecondition, type AppError } from '../../../../lib/errors.js';

/**
 * The answer of a money operation as the idempotency ledger stores it (JSON) and every repeat of
 * the request gets it: the payment (and refund) as they were when the gateway answered, or the
 * decline. Like a real gateway, a declined request's key keeps its decline.
 */
export type OperationAnswer =
  | { kind: 'done'; payment: unknown; refund?: unknown }
  | { kind: 'declined'; paymentId: string; declineCode: string; message: string };

export interface OperationResult {
  payment: Payment;
  refund?: Refund;
}

export function declinedError(answer: Extract<OperationAnswer, { kind: 'declined' }>): AppError {
  return failedPrecondition(
    `the gateway declined payment ${answer.paymentId}: ${answer.message}`,
    PaymentReason.PAYMENT_DECLINED,
    { decline_code: answer.declineCode, payment_id: answer.paymentId },
  );
}

/** The result an answer stands for; a decline is thrown as FAILED_PRECONDITION PAYMENT_DECLINED. */
export function resultOf(answer: OperationAnswer): OperationResult {
  if (answer.kind === 'declined') throw declinedError(answer);
  return {
    payment: Payment.fromJSON(answer.payment),
    ...(answer.refund === undefined ? {} : { refund: Refund.fromJSON(answer.refund) }),
  };
}

export function doneAnswer(payment: Payment, refund?: Refund): OperationAnswer {
  return {
    kind: 'done',
    payment: Payment.toJSON(payment),
    ...(refund === undefined ? {} : { refund: Refund.toJSON(refund) }),
  };
}
