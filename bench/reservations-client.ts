/**
 * The client side of bench/reservations.ts, in its own process (forked by it, never run by hand):
 * it opens one gRPC channel to the product service, and for each `rush` it is sent, calls
 * ReserveStock for every order at once on that channel and reports how long each answer took, as a
 * client outside the service sees it. It stays up between runs, so its channel and its code are
 * warm from the second run on; it exits when the bench disconnects.
 */
import { performance } from 'node:perf_hooks';
import { credentials, Metadata, status } from '@grpc/grpc-js';
import { ProductServiceClient } from '../gen/ecommerce/product/v1/product.js';
import type { FromRushClient, RushOutcome, ToRushClient } from './reservations-protocol.js';

const CONNECT_TIMEOUT_MS = 10_000;
/** A long deadline: the point is how long answers take, not a cut-off. */
const CALL_DEADLINE_MS = 120_000;

let channel: ProductServiceClient | undefined;

function send(message: FromRushClient): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

async function connected(target: string): Promise<ProductServiceClient> {
  channel ??= new ProductServiceClient(target, credentials.createInsecure());
  const client = channel;
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (error) => (error ? reject(error) : resolve())),
  );
  return client;
}

async function rush(message: Extract<ToRushClient, { type: 'rush' }>): Promise<void> {
  const client = await connected(message.target);
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${message.token}`);
  const outcomes: RushOutcome[] = new Array(message.orders.length);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    message.orders.map(
      (order, index) =>
        new Promise<void>((resolve) => {
          const sent = performance.now();
          client.reserveStock(order, metadata, { deadline: Date.now() + CALL_DEADLINE_MS }, (error) => {
            outcomes[index] = {
              ms: performance.now() - sent,
              code: error ? (error.code ?? status.UNKNOWN) : status.OK,
            };
            resolve();
          });
        }),
    ),
  );
  const slowestMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await send({ type: 'result', outcomes, slowestMs, cpuMs: (cpu.user + cpu.system) / 1000 });
}

process.on('disconnect', () => {
  channel?.close();
  process.exit(0);
});
process.on('message', (message: ToRushClient) => {
  if (message.type !== 'rush') return;
  rush(message).catch(async (error: unknown) => {
    await send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
});
