import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  ReceiveGatewayWebhookRequest,
  ReceiveGatewayWebhookResponse,
} from '../../../../gen/ecommerce/payment/v1/payment.js';
import { PaymentReason } from '../../../../lib/error-reasons.js';
import { invalidArgument, unauthenticated } from '../../../../lib/errors.js';
import { isUuid, newId } from '../../../../lib/ids.js';
import { minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import { checked } from '../../../../lib/validation/index.js';
import type { PaymentTransactionType } from '../entities/payment-transaction.js';
import {
  WebhookSignatureError,
  type GatewayEvent,
  type PaymentProvider,
} from '../providers/payment-provider.js';
import type { FinalOutcome } from './gateway-operation.js';
import { PAYMENT_COLUMNS, paymentRecordOf, transactionsOf, type PaymentRecord } from './payment-records.js';
import { settleOperation } from './settle-operation.js';

/** The operation each event type is the gateway's word on, and whether it says it happened. */
const EVENT_OPERATIONS: Partial<
  Record<GatewayEvent['type'], { type: PaymentTransactionType; happened: boolean }>
> = {
  'payment.authorized': { type: 'authorize', happened: true },
  'payment.failed': { type: 'authorize', happened: false },
  'payment.captured': { type: 'capture', happened: true },
  'payment.voided': { type: 'void', happened: true },
  'refund.succeeded': { type: 'refund', happened: true },
  'refund.failed': { type: 'refund', happened: false },
};

async function lockPaymentOf(
  tx: EntityManager,
  provider: string,
  event: GatewayEvent,
): Promise<PaymentRecord | undefined> {
  const [row] = await tx.execute<Parameters<typeof paymentRecordOf>[0][]>(
    `SELECT ${PAYMENT_COLUMNS} FROM payments
      WHERE (provider = ? AND provider_payment_id = ?) OR id = ?
      ORDER BY (provider_payment_id = ?) DESC NULLS LAST LIMIT 1 FOR UPDATE`,
    [
      provider,
      event.gatewayPaymentId ?? '',
      event.reference && isUuid(event.reference) ? event.reference : '00000000-0000-0000-0000-000000000000',
      event.gatewayPaymentId ?? '',
    ],
  );
  return row ? paymentRecordOf(row) : undefined;
}

/**
 * Applies a verified event to its payment, forward only: it settles the operation of ours the
 * event is about whose answer is still awaited or lost (a refund event the one of that amount),
 * through settleOperation, so it is recorded once whoever learns it first. A capture or void the
 * gateway made on its own (an authorisation expiring, a capture from the gateway's dashboard) is
 * recorded as a transaction of its own when the payment is still authorised. Anything else (a
 * confirmation of what is recorded, a payment already past it, no payment of ours) is stored and
 * changes nothing: so duplicates and any delivery order leave the same final state.
 */
async function applyEvent(
  tx: EntityManager,
  provider: string,
  event: GatewayEvent,
): Promise<{ applied: boolean; note: string | null }> {
  const operation = EVENT_OPERATIONS[event.type];
  if (!operation) return { applied: false, note: `type ${event.gatewayType} is not acted on` };
  const payment = await lockPaymentOf(tx, provider, event);
  if (!payment) return { applied: false, note: 'no payment of ours' };
  const transactions = await transactionsOf(tx, payment.id);
  const awaited = transactions.find(
    (t) =>
      t.type === operation.type &&
      (t.status === 'pending' || t.status === 'unknown') &&
      (t.type !== 'refund' || event.amountMinor === null || t.amount === event.amountMinor),
  );
  const outcome: FinalOutcome = operation.happened
    ? {
        kind: 'succeeded',
        gatewayPaymentId: event.gatewayPaymentId,
        operationId: null,
        amountMinor: event.amountMinor ?? 0,
        raw: { webhook: event.raw },
      }
    : {
        kind: 'declined',
        declineCode: operation.type === 'authorize' ? 'card_declined' : 'processing_error',
        message: `the gateway reported ${event.gatewayType}`,
        raw: { webhook: event.raw },
      };
  if (awaited) {
    await settleOperation(tx, awaited.id, outcome);
    return { applied: true, note: null };
  }
  const settledAlready = transactions.some(
    (t) => (t.type === 'capture' || t.type === 'void') && t.status !== 'failed',
  );
  if (
    operation.happened &&
    (operation.type === 'capture' || operation.type === 'void') &&
    payment.status === 'authorized' &&
    !settledAlready
  ) {
    const id = newId();
    const amountMinor =
      operation.type === 'capture'
        ? (event.amountMinor ?? payment.amountAuthorized)
        : payment.amountAuthorized;
    await tx.execute(
      `INSERT INTO payment_transactions (id, payment_id, type, status, amount, currency)
       VALUES (?, ?, ?, 'pending', ?, ?)`,
      [id, payment.id, operation.type, minorUnitsToDecimal(amountMinor), payment.currency],
      'run',
    );
    await settleOperation(tx, id, outcome);
    return { applied: true, note: 'made at the gateway, not through this service' };
  }
  return { applied: false, note: `payment is ${payment.status}; nothing awaited this event` };
}

/**
 * A gateway webhook as the BFF forwards it. The signature is checked first, over the exact bytes:
 * a bad one is UNAUTHENTICATED WEBHOOK_SIGNATURE_INVALID and nothing is stored. A verified event
 * is stored under (provider, the gateway's event id) and applied in the same transaction, before
 * the answer: a redelivery (even five at once: the unique key makes them wait for the first)
 * finds it stored and changes nothing.
 */
export async function receiveGatewayWebhook(
  em: EntityManager,
  provider: PaymentProvider,
  request: ReceiveGatewayWebhookRequest,
): Promise<ReceiveGatewayWebhookResponse> {
  checked((v) => {
    if (request.rawBody.length === 0) v.add('raw_body', 'is required');
    if (request.signatureHeader.trim() === '') v.add('signature_header', 'is required');
  });
  let event: GatewayEvent;
  try {
    event = provider.verifyWebhook(request.rawBody, request.signatureHeader);
  } catch (error) {
    if (!(error instanceof WebhookSignatureError)) throw error;
    throw unauthenticated(
      `webhook signature refused: ${error.message}`,
      PaymentReason.WEBHOOK_SIGNATURE_INVALID,
    );
  }
  if (!event.eventId || event.eventId.length > 255)
    throw invalidArgument('raw_body', 'the event has no usable id');
  return em.transactional(async (tx) => {
    const webhookId = newId();
    const stored = await tx.execute<{ id: string }[]>(
      `INSERT INTO payment_webhooks (id, provider, event_type, provider_event_id, payload, signature_valid, status)
       VALUES (?, ?, ?, ?, ?, true, 'pending')
       ON CONFLICT (provider, provider_event_id) DO NOTHING RETURNING id`,
      [webhookId, provider.name, event.gatewayType, event.eventId, JSON.stringify(event.raw)],
    );
    if (stored.length === 0) return { eventId: event.eventId, duplicate: true, applied: false };
    const { applied, note } = await applyEvent(tx, provider.name, event);
    await tx.execute(
      `UPDATE payment_webhooks SET status = ?, error = ?, processed_at = now() WHERE id = ?`,
      [applied ? 'processed' : 'ignored', note, webhookId],
      'run',
    );
    return { eventId: event.eventId, duplicate: false, applied };
  });
}
