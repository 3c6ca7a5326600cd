/**
 * The least a crash-safe authorisation and capture do, shared by bench/payment-floor-server.ts and
 * the checkout floor's payment role. Each call is two single-statement transactions on PostgreSQL
 * through `pg` (named statements, no explicit BEGIN/COMMIT): the operation is written as pending
 * before the gateway is asked (so a lost answer can be found again), and the gateway's answer is
 * recorded with its event after. The gateway is an in-memory map, the caller is not authenticated
 * and no idempotency key is checked beyond a unique index. With `publish`, each answer's event is
 * also published to JetStream and its ack awaited (no consumer reads it).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  PaymentStatus,
  type AuthorizePaymentRequest,
  type CapturePaymentRequest,
  type Payment,
  type PaymentServiceServer,
} from '../../gen/ecommerce/payment/v1/payment.js';
import { answer, run } from './shared.js';

export const PAYMENT_SCHEMA = `
  CREATE TABLE IF NOT EXISTS floor_operations (
    id uuid PRIMARY KEY, payment_id uuid NOT NULL, type text NOT NULL, idempotency_key text NOT NULL UNIQUE,
    amount_minor bigint NOT NULL, currency char(3) NOT NULL, status text NOT NULL,
    gateway_id text, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS floor_outbox (
    id uuid PRIMARY KEY, subject text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`;

/** Pending first (one statement, its own transaction). */
const WRITE_PENDING = {
  name: 'write_pending',
  text: `INSERT INTO floor_operations (id, payment_id, type, idempotency_key, amount_minor, currency, status)
    VALUES ($1, $2, $3, $4, $5, $6, 'pending')`,
};

/** The answer and its event together (one statement, its own transaction). */
const RECORD_ANSWER = {
  name: 'record_answer',
  text: `WITH answered AS (
      UPDATE floor_operations SET status = 'succeeded', gateway_id = $2, updated_at = now() WHERE id = $1
      RETURNING payment_id, type, amount_minor, currency)
    INSERT INTO floor_outbox (id, subject, payload)
    SELECT $3, 'payment.payment.' || type,
      jsonb_build_object('paymentId', payment_id, 'amountMinor', amount_minor, 'currency', currency)
    FROM answered`,
};

/** Publishes the event `name` ("payment.authorize") with this message id and awaits its ack. */
export type Publish = (name: string, body: Uint8Array, eventId: string) => Promise<unknown>;

interface Charge {
  authorized: number;
  captured: number;
}

function paymentOf(id: string, status: PaymentStatus, currency: string, charge: Charge): Payment {
  const money = (amountMinor: number) => ({ currencyCode: currency, amountMinor });
  return {
    id,
    orderId: '',
    userId: '',
    guestEmail: '',
    status,
    provider: 'floor',
    providerPaymentId: `gw_${id}`,
    paymentMethodId: '',
    amount: money(charge.authorized),
    amountAuthorized: money(charge.authorized),
    amountCaptured: money(charge.captured),
    amountRefunded: money(0),
    failureCode: '',
    failureMessage: '',
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

/** AuthorizePayment and CapturePayment on `pool` (tables: PAYMENT_SCHEMA). */
export function authorizeCaptureHandlers(
  pool: pg.Pool,
  publish?: Publish,
): Pick<PaymentServiceServer, 'authorizePayment' | 'capturePayment'> {
  const gateway = new Map<string, Charge>();

  async function operate(
    paymentId: string,
    type: string,
    key: string,
    amountMinor: number,
    currency: string,
  ) {
    const operationId = randomUUID();
    await run(pool, WRITE_PENDING, [operationId, paymentId, type, key, amountMinor, currency]);
    const charge = gateway.get(paymentId) ?? { authorized: 0, captured: 0 };
    if (type === 'authorize') charge.authorized = amountMinor;
    else charge.captured = amountMinor;
    gateway.set(paymentId, charge);
    const eventId = randomUUID();
    await run(pool, RECORD_ANSWER, [operationId, `gw_${paymentId}`, eventId]);
    await publish?.(`payment.${type}`, Buffer.from(JSON.stringify({ paymentId, amountMinor })), eventId);
    return charge;
  }

  return {
    authorizePayment: answer(async (request: AuthorizePaymentRequest) => {
      const { amount, idempotencyKey } = request;
      const paymentId = randomUUID();
      const charge = await operate(
        paymentId,
        'authorize',
        idempotencyKey,
        amount!.amountMinor,
        amount!.currencyCode,
      );
      return {
        payment: paymentOf(paymentId, PaymentStatus.PAYMENT_STATUS_AUTHORIZED, amount!.currencyCode, charge),
      };
    }),
    capturePayment: answer(async (request: CapturePaymentRequest) => {
      const { paymentId, amount, idempotencyKey } = request;
      const charge = await operate(
        paymentId,
        'capture',
        idempotencyKey,
        amount!.amountMinor,
        amount!.currencyCode,
      );
      return {
        payment: paymentOf(paymentId, PaymentStatus.PAYMENT_STATUS_CAPTURED, amount!.currencyCode, charge),
      };
    }),
  };
}
