/**
 * The floor of an authorisation and its capture on this machine: a bare grpc-js server with the
 * payment service's contract whose AuthorizePayment and CapturePayment do the least any payment
 * service that survives a crash must do, and nothing else. Each call is two single-statement
 * transactions on PostgreSQL through `pg` (no ORM, no explicit BEGIN/COMMIT): the operation is
 * written as pending before the gateway is asked (so a lost answer can be found again), and the
 * gateway's answer is recorded with its event after. The gateway is an in-memory map, the caller
 * is not authenticated and no idempotency key is checked beyond a unique index: whatever the real
 * service does on top of this costs more. With `--nats <url>` each answer's event is also published
 * to JetStream (no consumer reads it); without it nothing is published. The handlers are
 * checkout-floor/authorize-capture.ts, which the checkout floor's payment role serves too.
 *
 *   npx tsx bench/payment-floor-server.ts --port 50199 --database-url postgres://postgres@127.0.0.1:5432/payment_floor &
 *   PAYMENT_GRPC_ADDR=127.0.0.1:50199 npx tsx bench/run.ts --scenario authorize-capture --in-flight 32 --clients 2
 *
 * The scenario's prepare still asks the auth service for a token (it is sent and ignored here), so
 * run it beside a mesh. The tables are made if missing, in the database given (created if absent).
 * Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { connect } from 'nats';
import pg from 'pg';
import { PaymentServiceService } from '../gen/ecommerce/payment/v1/payment.js';
import {
  authorizeCaptureHandlers,
  PAYMENT_SCHEMA,
  type Publish,
} from './checkout-floor/authorize-capture.js';
import { ensureDatabase } from './checkout-floor/shared.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '50199' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/payment_floor' },
    connections: { type: 'string', default: '10' },
    nats: { type: 'string' },
  },
});

await ensureDatabase(values['database-url']);
const pool = new pg.Pool({ connectionString: values['database-url'], max: Number(values.connections) });
await pool.query(PAYMENT_SCHEMA);

/** With --nats <url>: each recorded answer is also published to JetStream (stream FLOOR) and its ack awaited. */
let publish: Publish | undefined;
if (values.nats) {
  const nc = await connect({ servers: values.nats });
  const jsm = await nc.jetstreamManager();
  await jsm.streams
    .add({ name: 'FLOOR', subjects: ['floor.>'], max_age: 3_600_000_000_000 })
    .catch(() => undefined);
  const jetStream = nc.jetstream();
  publish = (name, body, eventId) => jetStream.publish(`floor.${name}`, body, { msgID: eventId });
}

const server = new grpc.Server();
const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
  callback({ code: grpc.status.UNIMPLEMENTED, details: 'the floor server has only authorise and capture' });
const handlers: grpc.UntypedServiceImplementation = {
  ...Object.fromEntries(Object.keys(PaymentServiceService).map((name) => [name, unimplemented])),
  ...authorizeCaptureHandlers(pool, publish),
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
