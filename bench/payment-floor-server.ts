/**
 * The floor of an authorisation and its capture on this machine: a bare grpc-js server with the
 * payment service's contract whose AuthorizePayment and CapturePayment do the least any payment
 * service that survives a crash must do, and nothing else. Each call is two single-statement
 * transactions on PostgreSQL through `pg` (no ORM, no explicit BEGIN/COMMIT): the operation is
 * written as pending before the gateway is asked (so a lost answer can be found again), and the
 * gateway's answer is recorded with its event after. The gateway is an in-memory map, the caller
 * is not authenticated and no idempotency key is checked beyond a unique index: whatever the real
 * service does on top of this costs more. With `--nats <url>` each answer's event is also published
 * to JetStream (no consumer reads it); without it nothing is published.
 *
 *   npx tsx bench/payment-floor-server.ts --port 50199 --database-url postgres://postgres@127.0.0.1:5432/payment_floor &
 *   PAYMENT_GRPC_ADDR=127.0.0.1:50199 npx tsx bench/run.ts --scenario authorize-capture --in-flight 32 --clients 2
 *
 * The scenario's prepare still asks the auth service for a token (it is sent and ignored here), so
 * run it beside a mesh. The tables are made if missing, in the database given (created if absent).
 * Stops on SIGINT/SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { connect, type JetStreamClient } from 'nats';
import pg from 'pg';
import {
  PaymentServiceService,
  PaymentStatus,
  type AuthorizePaymentRequest,
  type CapturePaymentRequest,
  type Payment,
} from '../gen/ecommerce/payment/v1/payment.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '50199' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/payment_floor' },
    connections: { type: 'string', default: '10' },
    nats: { type: 'string' },
  },
});

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS floor_operations (
    id uuid PRIMARY KEY, payment_id uuid NOT NULL, type text NOT NULL, idempotency_key text NOT NULL UNIQUE,
    amount_minor bigint NOT NULL, currency char(3) NOT NULL, status text NOT NULL,
    gateway_id text, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS floor_outbox (
    id uuid PRIMARY KEY, subject text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`;

/** Pending first (one statement, its own transaction). */
const WRITE_PENDING = `INSERT INTO floor_operations (id, payment_id, type, idempotency_key, amount_minor, currency, status)
  VALUES ($1, $2, $3, $4, $5, $6, 'pending')`;

/** The answer and its event together (one statement, its own transaction). */
const RECORD_ANSWER = `WITH answered AS (
    UPDATE floor_operations SET status = 'succeeded', gateway_id = $2, updated_at = now() WHERE id = $1
    RETURNING payment_id, type, amount_minor, currency)
  INSERT INTO floor_outbox (id, subject, payload)
  SELECT $3, 'payment.payment.' || type,
         jsonb_build_object('paymentId', payment_id, 'amountMinor', amount_minor, 'currency', currency)
  FROM answered`;

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).href,
  });
  await admin.connect();
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (rowCount === 0) await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  await admin.end();
}

await ensureDatabase(values['database-url']);
const pool = new pg.Pool({ connectionString: values['database-url'], max: Number(values.connections) });
await pool.query(SCHEMA);

/** With --nats <url>: each recorded answer is also published to JetStream (stream FLOOR) and its ack awaited. */
let jetStream: JetStreamClient | undefined;
if (values.nats) {
  const nc = await connect({ servers: values.nats });
  const jsm = await nc.jetstreamManager();
  await jsm.streams
    .add({ name: 'FLOOR', subjects: ['floor.>'], max_age: 3_600_000_000_000 })
    .catch(() => undefined);
  jetStream = nc.jetstream();
}

const gateway = new Map<string, { authorized: number; captured: number }>();

async function operate(paymentId: string, type: string, key: string, amountMinor: number, currency: string) {
  const operationId = randomUUID();
  await pool.query(WRITE_PENDING, [operationId, paymentId, type, key, amountMinor, currency]);
  const charge = gateway.get(paymentId) ?? { authorized: 0, captured: 0 };
  if (type === 'authorize') charge.authorized = amountMinor;
  else charge.captured = amountMinor;
  gateway.set(paymentId, charge);
  const eventId = randomUUID();
  await pool.query(RECORD_ANSWER, [operationId, `gw_${paymentId}`, eventId]);
  await jetStream?.publish(`floor.payment.${type}`, Buffer.from(JSON.stringify({ paymentId, amountMinor })), {
    msgID: eventId,
  });
  return charge;
}

function paymentOf(
  id: string,
  status: PaymentStatus,
  currency: string,
  charge: { authorized: number; captured: number },
): Payment {
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

function answer<T>(callback: grpc.sendUnaryData<T>, work: Promise<T>): void {
  work.then(
    (reply) => callback(null, reply),
    (error: Error) => callback({ code: grpc.status.INTERNAL, details: error.message }),
  );
}

const server = new grpc.Server();
const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
  callback({ code: grpc.status.UNIMPLEMENTED, details: 'the floor server has only authorise and capture' });
const handlers: grpc.UntypedServiceImplementation = Object.fromEntries(
  Object.keys(PaymentServiceService).map((name) => [name, unimplemented]),
);
handlers.authorizePayment = (
  call: grpc.ServerUnaryCall<AuthorizePaymentRequest, unknown>,
  callback: grpc.sendUnaryData<unknown>,
) => {
  const { amount, idempotencyKey } = call.request;
  const paymentId = randomUUID();
  answer(
    callback,
    operate(paymentId, 'authorize', idempotencyKey, amount!.amountMinor, amount!.currencyCode).then(
      (charge) => ({
        payment: paymentOf(paymentId, PaymentStatus.PAYMENT_STATUS_AUTHORIZED, amount!.currencyCode, charge),
      }),
    ),
  );
};
handlers.capturePayment = (
  call: grpc.ServerUnaryCall<CapturePaymentRequest, unknown>,
  callback: grpc.sendUnaryData<unknown>,
) => {
  const { paymentId, amount, idempotencyKey } = call.request;
  answer(
    callback,
    operate(paymentId, 'capture', idempotencyKey, amount!.amountMinor, amount!.currencyCode).then(
      (charge) => ({
        payment: paymentOf(paymentId, PaymentStatus.PAYMENT_STATUS_CAPTURED, amount!.currencyCode, charge),
      }),
    ),
  );
};
server.addService(PaymentServiceService, handlers);

server.bindAsync(`127.0.0.1:${values.port}`, grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(`bench/payment-floor-server.ts: ${error.message}`);
    process.exit(1);
  }
  console.log(`payment floor serving on 127.0.0.1:${port} (pid ${process.pid})`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.tryShutdown(() => void pool.end().then(() => process.exit(0))));
}
