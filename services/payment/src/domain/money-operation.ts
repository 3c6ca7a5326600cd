import type { EntityManager } from '@mikro-orm/postgresql';
import { CommonReason, PaymentReason } from '../../../../lib/error-reasons.js';
import { aborted, isAppError, unavailable } from '../../../../lib/errors.js';
import { claimIdempotencyKey, type IdempotentRequest } from '../../../../lib/idempotency/idempotency-keys.js';
import type { PaymentProvider } from '../providers/payment-provider.js';
import { askGateway, sendToGateway, type Operation, type Outcome } from './gateway-operation.js';
import { resultOf, type OperationAnswer, type OperationResult } from './operation-answer.js';
import { findRefund, findTransaction, requirePayment } from './payment-records.js';
import { markUnknown, settleOperation, settledAnswer } from './settle-operation.js';
import { settlePlainSuccess, type PlainOperation } from './plain-path.js';

/**
 * How old a `pending` transaction must be before it is taken for one whose process died before
 * recording the answer: well above any gateway client's timeout, so a call still under way is
 * never resolved behind its back.
 */
export const STALE_PENDING_MS = 120_000;

/** What the first transaction of a money operation decided. */
export type Begun =
  | { kind: 'replay'; answer: OperationAnswer }
  | { kind: 'send'; operation: Operation }
  /** Written by a plain statement (plain-path.ts): its success may be recorded by one too. */
  | { kind: 'send-plain'; plain: PlainOperation }
  | { kind: 'resume'; transactionId: string };

export type OperationClaim =
  { state: 'claimed' } | { state: 'completed'; answer: OperationAnswer } | { state: 'in_progress' };

/**
 * Claims the request's key in the caller's transaction (lib/idempotency): `claimed` (do it),
 * `completed` (its answer), or `in_progress` (the first request committed its claim and has not
 * recorded the gateway's answer: running, crashed, or waiting for a lost answer to be found out).
 */
export async function claimOperation(tx: EntityManager, request: IdempotentRequest): Promise<OperationClaim> {
  try {
    return await claimIdempotencyKey<OperationAnswer>(tx, request);
  } catch (error) {
    if (isAppError(error) && error.reason === CommonReason.IDEMPOTENCY_KEY_IN_PROGRESS) {
      return { state: 'in_progress' };
    }
    throw error;
  }
}

/** The transaction of a request found in progress: resumed if its answer is lost or stale. */
export function resumeOrWait(
  transaction: { id: string; status: string; createdAt: Date } | undefined,
  key: string,
): Begun {
  const stale = transaction !== undefined && Date.now() - transaction.createdAt.getTime() > STALE_PENDING_MS;
  if (!transaction || (transaction.status === 'pending' && !stale)) {
    throw aborted(
      `a request with idempotency key ${key} is still in progress; retry`,
      CommonReason.IDEMPOTENCY_KEY_IN_PROGRESS,
    );
  }
  return { kind: 'resume', transactionId: transaction.id };
}

export async function loadOperation(em: EntityManager, transactionId: string): Promise<Operation> {
  const transaction = (await findTransaction(em, { id: transactionId }))!;
  const payment = await requirePayment(em, transaction.paymentId);
  const refund =
    transaction.type === 'refund'
      ? await findRefund(em, { paymentTransactionId: transaction.id })
      : undefined;
  return { transaction, payment, ...(refund ? { refund } : {}) };
}

/** Records a final outcome, or marks the transaction unknown; undefined while unknown. */
async function record(
  em: EntityManager,
  transactionId: string,
  outcome: Outcome,
): Promise<OperationAnswer | undefined> {
  if (outcome.kind === 'succeeded' || outcome.kind === 'declined') {
    return settleOperation(em, transactionId, outcome);
  }
  if (outcome.kind === 'unknown') await markUnknown(em, transactionId, outcome.message);
  return undefined;
}

/**
 * Finds out what became of an operation whose answer was lost (or whose process died): asks the
 * gateway (askGateway) and records what it tells, once. One the gateway never received is sent
 * again with the same key, as the request asked; an authorisation can be sent again only with its
 * card token (a retry of the request brings it), so without one it is recorded as failed: the
 * gateway never received it and never will. Undefined while the gateway cannot be reached.
 */
export async function resolveOperation(
  em: EntityManager,
  provider: PaymentProvider,
  transactionId: string,
  paymentToken?: string,
): Promise<OperationAnswer | undefined> {
  const operation = { ...(await loadOperation(em, transactionId)), paymentToken };
  const { status, type } = operation.transaction;
  if (status === 'succeeded' || status === 'failed') return settledAnswer(em, transactionId);
  let outcome = await askGateway(provider, operation);
  if (outcome.kind === 'not_received') {
    outcome =
      type === 'authorize' && !paymentToken
        ? {
            kind: 'declined',
            declineCode: 'processing_error',
            message: 'the gateway never received the authorisation',
            raw: { notReceived: true },
          }
        : await sendToGateway(provider, operation);
  }
  if (outcome.kind === 'not_received') return undefined;
  return record(em, transactionId, outcome);
}

function outcomeUnknown(paymentId: string): Error {
  return unavailable(
    `the gateway's answer for payment ${paymentId} was lost and the gateway cannot be asked now; retry with the same idempotency key`,
    PaymentReason.PAYMENT_OUTCOME_UNKNOWN,
    { payment_id: paymentId },
  );
}

/**
 * Carries a begun operation to its answer: a replay as stored; a new one sent to the gateway and
 * its answer recorded; a lost answer recorded as unknown and the gateway asked at once; a resumed
 * one resolved. UNAVAILABLE PAYMENT_OUTCOME_UNKNOWN when the gateway cannot tell now.
 */
export async function carryOut(
  em: EntityManager,
  provider: PaymentProvider,
  begun: Begun,
  paymentToken?: string,
): Promise<OperationResult> {
  if (begun.kind === 'replay') return resultOf(begun.answer);
  let transactionId: string;
  if (begun.kind === 'send' || begun.kind === 'send-plain') {
    const operation = begun.kind === 'send' ? begun.operation : begun.plain.operation;
    transactionId = operation.transaction.id;
    const outcome = await sendToGateway(provider, { ...operation, paymentToken });
    const answer =
      (begun.kind === 'send-plain' ? await settlePlainSuccess(em, begun.plain, outcome) : undefined) ??
      (await record(em, transactionId, outcome));
    if (answer) return resultOf(answer);
  } else {
    transactionId = begun.transactionId;
  }
  const answer = await resolveOperation(em, provider, transactionId, paymentToken);
  if (answer) return resultOf(answer);
  const { paymentId } = (await findTransaction(em, { id: transactionId }))!;
  throw outcomeUnknown(paymentId);
}
