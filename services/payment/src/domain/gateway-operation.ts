import type { PaymentTransactionType } from '../entities/payment-transaction.js';
import type { GatewayResult, PaymentProvider } from '../providers/payment-provider.js';
import type { PaymentRecord, RefundRecord, TransactionRecord } from './payment-records.js';

/** The idempotency scope (lib/idempotency) of each kind of operation. */
export const SCOPE_OF: Record<PaymentTransactionType, string> = {
  authorize: 'authorize-payment',
  capture: 'capture-payment',
  void: 'void-payment',
  refund: 'refund-payment',
};

/**
 * The idempotency key sent to the gateway for our (scope, key) on a payment: derived, never
 * random, so the same request sent again (by a retry after a crash, by the reconciler) is the same
 * request to the gateway too, which then answers its first result instead of acting twice.
 */
export function gatewayKeyOf(type: PaymentTransactionType, paymentId: string, key: string): string {
  return `${SCOPE_OF[type]}:${paymentId}:${key}`;
}

/** Our ledger entry (scope, key) of a gateway key made by gatewayKeyOf. */
export function ledgerKeyOf(gatewayKey: string): { scope: string; key: string } {
  const [scope, , ...rest] = gatewayKey.split(':');
  return { scope: scope!, key: rest.join(':') };
}

/**
 * What is known of one operation at the gateway: done, refused, not known (the answer was lost
 * and the gateway could not be asked), or never received (the gateway has no trace of it).
 */
export type Outcome =
  | {
      kind: 'succeeded';
      gatewayPaymentId: string | null;
      operationId: string | null;
      amountMinor: number;
      raw: Record<string, unknown>;
    }
  | { kind: 'declined'; declineCode: string; message: string; raw: Record<string, unknown> }
  | { kind: 'unknown'; message: string }
  | { kind: 'not_received' };

/** A final outcome, the only kind that is recorded as a transaction's status. */
export type FinalOutcome = Extract<Outcome, { kind: 'succeeded' | 'declined' }>;

/** One operation to send: its transaction row, its payment, its refund, the card token (authorise). */
export interface Operation {
  transaction: TransactionRecord;
  payment: PaymentRecord;
  refund?: RefundRecord;
  paymentToken?: string;
}

function outcomeOf(result: GatewayResult): Outcome {
  if (result.outcome === 'succeeded') {
    return {
      kind: 'succeeded',
      gatewayPaymentId: result.gatewayPaymentId,
      operationId: result.gatewayOperationId,
      amountMinor: result.amountMinor,
      raw: result.raw,
    };
  }
  if (result.outcome === 'declined') {
    return { kind: 'declined', declineCode: result.declineCode, message: result.message, raw: result.raw };
  }
  return { kind: 'unknown', message: result.message };
}

/**
 * Sends the operation to the gateway with its derived key. A gateway client that throws instead
 * of answering (a bug, a network error it did not classify) is an unknown outcome too: nothing is
 * assumed either way.
 */
export async function sendToGateway(provider: PaymentProvider, operation: Operation): Promise<Outcome> {
  const { transaction, payment } = operation;
  const idempotencyKey = transaction.idempotencyKey!;
  try {
    switch (transaction.type) {
      case 'authorize':
        if (!operation.paymentToken) return { kind: 'unknown', message: 'no card token to send again' };
        return outcomeOf(
          await provider.authorize({
            reference: payment.id,
            paymentToken: operation.paymentToken,
            amountMinor: transaction.amount,
            currency: transaction.currency,
            idempotencyKey,
          }),
        );
      case 'capture':
        return outcomeOf(
          await provider.capture({
            gatewayPaymentId: payment.providerPaymentId!,
            amountMinor: transaction.amount,
            currency: transaction.currency,
            idempotencyKey,
          }),
        );
      case 'void':
        return outcomeOf(
          await provider.void({ gatewayPaymentId: payment.providerPaymentId!, idempotencyKey }),
        );
      case 'refund':
        return outcomeOf(
          await provider.refund({
            gatewayPaymentId: payment.providerPaymentId!,
            amountMinor: transaction.amount,
            currency: transaction.currency,
            reason: operation.refund?.reason ?? '',
            idempotencyKey,
          }),
        );
    }
  } catch (error) {
    return { kind: 'unknown', message: `the gateway call failed: ${(error as Error).message}` };
  }
}

/**
 * Asks the gateway what became of an operation whose answer was lost. Authorisation, capture and
 * void are read from its view of the payment (`lookup`); a refund is sent again with the same key,
 * which answers the first result (or makes the refund if it never arrived): the gateway's refunded
 * total cannot tell which of several refunds happened. `unknown` when the gateway cannot be reached.
 */
export async function askGateway(provider: PaymentProvider, operation: Operation): Promise<Outcome> {
  const { transaction, payment } = operation;
  if (transaction.type === 'refund') return sendToGateway(provider, operation);
  let view;
  try {
    view = await provider.lookup({
      reference: payment.id,
      gatewayPaymentId: payment.providerPaymentId ?? undefined,
    });
  } catch (error) {
    return { kind: 'unknown', message: `the gateway could not be asked: ${(error as Error).message}` };
  }
  if (!view) return { kind: 'not_received' };
  const found = (amountMinor: number): Outcome => ({
    kind: 'succeeded',
    gatewayPaymentId: view.gatewayPaymentId,
    operationId: null,
    amountMinor,
    raw: { lookup: view.raw },
  });
  switch (transaction.type) {
    case 'authorize':
      if (view.status === 'declined') {
        return {
          kind: 'declined',
          declineCode: 'card_declined',
          message: 'declined (found by asking the gateway)',
          raw: { lookup: view.raw },
        };
      }
      return found(view.authorizedMinor);
    case 'capture':
      return view.capturedMinor > 0 ? found(view.capturedMinor) : { kind: 'not_received' };
    case 'void':
      return view.status === 'voided' ? found(view.authorizedMinor) : { kind: 'not_received' };
  }
}
