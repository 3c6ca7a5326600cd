import type { EntityManager } from '@mikro-orm/postgresql';
import { PaymentReason } from '../../../../lib/error-reasons.js';
import { failedPrecondition, invalidArgument, notFound } from '../../../../lib/errors.js';
import {
  completeIdempotencyKey,
  idempotencyKeyReused,
  requestHashOf,
} from '../../../../lib/idempotency/idempotency-keys.js';
import { newId } from '../../../../lib/ids.js';
import { minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import type { PaymentProvider } from '../providers/payment-provider.js';
import type { SecretCipher } from '../../../../lib/crypto/index.js';
import { gatewayKeyOf, SCOPE_OF } from './gateway-operation.js';
import { carryOut, claimOperation, resumeOrWait, type Begun } from './money-operation.js';
import { beginPlainAuthorization } from './plain-path.js';
import { capturePayment } from './capture-payment.js';
import { doneAnswer, type OperationResult } from './operation-answer.js';
import type { AuthorizeInput } from './payment-input.js';
import {
  findPayment,
  PAYMENT_COLUMNS,
  paymentMessage,
  paymentRecordOf,
  TRANSACTION_COLUMNS,
  transactionRecordOf,
  transactionsOf,
  type PaymentRow,
  type TransactionRow,
} from './payment-records.js';

export interface PaymentGatewayDeps {
  provider: PaymentProvider;
  cipher: SecretCipher;
}

/**
 * The card token of a vaulted method: it must be the customer's (NOT_FOUND otherwise), not deleted
 * (FAILED_PRECONDITION PAYMENT_METHOD_DELETED: a deleted method is never charged) and vaulted for
 * this gateway (INVALID_ARGUMENT).
 */
async function vaultedToken(
  em: EntityManager,
  deps: PaymentGatewayDeps,
  userId: string | null,
  paymentMethodId: string,
): Promise<string> {
  const [method] = await em.execute<
    { user_id: string; provider: string; provider_token: string; deleted_at: Date | null }[]
  >('SELECT user_id, provider, provider_token, deleted_at FROM payment_methods WHERE id = ?', [
    paymentMethodId,
  ]);
  if (!method || method.user_id !== userId) throw notFound('payment method', paymentMethodId);
  if (method.deleted_at !== null) {
    throw failedPrecondition(
      `payment method ${paymentMethodId} was deleted and is never charged`,
      PaymentReason.PAYMENT_METHOD_DELETED,
    );
  }
  if (method.provider !== deps.provider.name) {
    throw invalidArgument(
      'payment_method_id',
      `was vaulted for the ${method.provider} gateway; payments go through ${deps.provider.name}`,
    );
  }
  return deps.cipher.decrypt(method.provider_token, paymentMethodId);
}

/** A vaulted token that cannot be decrypted is never sent: its authorisation then ends declined. */
function decryptedOrNone(cipher: SecretCipher, sealed: string, paymentMethodId: string): string | undefined {
  try {
    return cipher.decrypt(sealed, paymentMethodId);
  } catch {
    return undefined;
  }
}

/** The key of the capture an AuthorizePayment with `capture` makes: derived, so a repeat makes the same one. */
export function captureKeyOf(authorizeKey: string): string {
  return `${authorizeKey}-capture`;
}

/**
 * AuthorizePayment: the hold (`authorizePayment`), and, when the request asks for it, the capture
 * of the whole amount right after it (`capturePayment`, keyed `captureKeyOf` the request's key). A
 * capture that fails leaves the payment authorised and throws its error; the same request again
 * finds the hold recorded and captures it (or answers the capture's recorded answer).
 */
export async function authorizePaymentAsked(
  em: EntityManager,
  deps: PaymentGatewayDeps,
  input: AuthorizeInput,
): Promise<OperationResult> {
  const authorized = await authorizePayment(em, deps, input);
  if (!input.capture) return authorized;
  return capturePayment(em, deps.provider, {
    paymentId: authorized.payment.id,
    amount: input.amount,
    idempotencyKey: captureKeyOf(input.idempotencyKey),
  });
}

/**
 * Places a hold on the customer's vaulted method or a one-time token; a first request whose checks
 * pass takes the plain path (plain-path.ts), everything else the transaction below. Idempotent by key
 * (lib/idempotency, scope `authorize-payment`): the claim and the pending payment commit before
 * the gateway is called (no transaction is held across it), the answer is recorded after
 * (settleOperation), and a repeat gets the first answer, a decline included. The key is also kept
 * on the payment with the request's hash, so a reuse is told apart after the ledger's retention.
 */
export async function authorizePayment(
  em: EntityManager,
  deps: PaymentGatewayDeps,
  input: AuthorizeInput,
): Promise<OperationResult> {
  const plain = await beginPlainAuthorization(em, deps.provider.name, input);
  if (plain) {
    const paymentToken =
      input.paymentToken ?? decryptedOrNone(deps.cipher, plain.providerToken!, input.paymentMethodId!);
    return carryOut(em, deps.provider, { kind: 'send-plain', plain }, paymentToken);
  }
  const { idempotencyKey: key, ...request } = input;
  const keyed = { scope: SCOPE_OF.authorize, key, request };
  const requestHash = requestHashOf(request);
  const tokenOf = (tx: EntityManager) =>
    input.paymentToken !== null
      ? Promise.resolve(input.paymentToken)
      : vaultedToken(tx, deps, input.userId, input.paymentMethodId!);
  let paymentToken: string | undefined;

  const begun = await em.transactional(async (tx): Promise<Begun> => {
    const claim = await claimOperation(tx, keyed);
    if (claim.state === 'completed') return { kind: 'replay', answer: claim.answer };
    const existing = await findPayment(tx, { idempotencyKey: key });
    if (claim.state === 'in_progress') {
      const authorization =
        existing && (await transactionsOf(tx, existing.id)).find((t) => t.type === 'authorize');
      return resumeOrWait(authorization, key);
    }
    if (existing) {
      // The ledger's entry expired, the payment's key did not: the same request answers the payment.
      if (existing.requestHash !== requestHash) throw idempotencyKeyReused(key);
      const answer = doneAnswer(paymentMessage(existing));
      await completeIdempotencyKey(tx, keyed.scope, key, answer);
      return { kind: 'replay', answer };
    }
    paymentToken = await tokenOf(tx);
    const paymentId = newId();
    const [paymentRow] = await tx.execute<PaymentRow[]>(
      `INSERT INTO payments (id, order_id, user_id, guest_email, payment_method_id, status, provider, amount,
                             currency, idempotency_key, request_hash)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) RETURNING ${PAYMENT_COLUMNS}`,
      [
        paymentId,
        input.orderId,
        input.userId,
        input.guestEmail,
        input.paymentMethodId,
        deps.provider.name,
        minorUnitsToDecimal(input.amount.amountMinor),
        input.amount.currencyCode,
        key,
        requestHash,
      ],
    );
    const [transactionRow] = await tx.execute<TransactionRow[]>(
      `INSERT INTO payment_transactions (id, payment_id, type, status, amount, currency, idempotency_key)
       VALUES (?, ?, 'authorize', 'pending', ?, ?, ?) RETURNING ${TRANSACTION_COLUMNS}`,
      [
        newId(),
        paymentId,
        minorUnitsToDecimal(input.amount.amountMinor),
        input.amount.currencyCode,
        gatewayKeyOf('authorize', paymentId, key),
      ],
    );
    const payment = paymentRecordOf(paymentRow!);
    const transaction = transactionRecordOf(transactionRow!);
    return { kind: 'send', operation: { payment, transaction } };
  });

  if (begun.kind === 'resume') {
    // A retry brings the card again: what the gateway never received may be sent with it.
    paymentToken = await tokenOf(em).catch(() => undefined);
  }
  return carryOut(em, deps.provider, begun, paymentToken);
}
