/**
 * One client process of the load driver (forked by driver.ts, never run by hand). It opens the
 * scenario's clients, says `ready`, waits for `start`, runs `inFlight` loops that each call the
 * scenario's RPC back to back until the warm-up plus the duration are over (or the call cap is
 * reached), then sends what it measured during the window after the warm-up and exits.
 */
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { Histogram } from './histogram.js';
import {
  channelCount,
  type FromWorker,
  type ToWorker,
  type WorkerResult,
  type WorkerSpec,
} from './protocol.js';
import { scenarioNamed } from './scenarios.js';

const CONNECT_TIMEOUT_MS = 10_000;

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

function statusName(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && grpc.status[code] !== undefined) return grpc.status[code];
  return 'CLIENT_EXCEPTION';
}

function waitForReady(client: grpc.Client): Promise<void> {
  return new Promise((resolve, reject) =>
    client.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (error) => (error ? reject(error) : resolve())),
  );
}

function connect(spec: WorkerSpec): grpc.Client[] {
  const scenario = scenarioNamed(spec.scenario);
  // A local subchannel pool gives every client its own channel and TCP connection; with the
  // default global pool, clients of one process to one address would share a connection.
  const options: grpc.ChannelOptions = { 'grpc.use_local_subchannel_pool': 1 };
  return Array.from({ length: channelCount(spec.channels, spec.inFlight) }, () =>
    scenario.connect(spec.target, options),
  );
}

async function run(spec: WorkerSpec, clients: grpc.Client[], startAtEpochMs: number): Promise<WorkerResult> {
  const scenario = scenarioNamed(spec.scenario);
  const startAt = performance.now() + (startAtEpochMs - Date.now());
  const measureFrom = startAt + spec.warmupMs;
  const endAt = measureFrom + spec.durationMs;
  const histogram = new Histogram();
  const errors: Record<string, number> = {};
  let issued = 0;
  let warmupCalls = 0;
  let stoppedByCount = false;
  let lastCountedAt = measureFrom;

  // CPU use of this process from the start of the window until the loops have stopped.
  let cpuAtWindowStart = process.cpuUsage();
  let windowStartedAt = performance.now();
  const cpuStart = setTimeout(() => {
    cpuAtWindowStart = process.cpuUsage();
    windowStartedAt = performance.now();
  }, measureFrom - performance.now());

  const perChannel = Math.ceil(spec.inFlight / clients.length);
  const loop = async (loopIndex: number): Promise<void> => {
    const client = clients[Math.floor(loopIndex / perChannel)]!;
    while (performance.now() < endAt) {
      if (issued >= spec.maxCalls) {
        stoppedByCount = true;
        return;
      }
      const i = issued++ * spec.workers + spec.workerIndex;
      const deadline = new Date(Date.now() + spec.callTimeoutMs);
      let failure: string | undefined;
      const started = performance.now();
      try {
        await scenario.call(client, spec.context, i, deadline);
      } catch (error) {
        failure = statusName(error);
      }
      const finished = performance.now();
      if (finished < measureFrom) {
        warmupCalls++;
      } else if (finished <= endAt) {
        if (failure === undefined) histogram.recordMs(finished - started);
        else errors[failure] = (errors[failure] ?? 0) + 1;
        lastCountedAt = finished;
      }
    }
  };

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - performance.now())));
  await Promise.all(Array.from({ length: spec.inFlight }, (_, loopIndex) => loop(loopIndex)));
  clearTimeout(cpuStart);
  const cpu = process.cpuUsage(cpuAtWindowStart);
  const cpuElapsedMs = performance.now() - windowStartedAt;
  const cpuPercent = cpuElapsedMs > 0 ? ((cpu.user + cpu.system) / 1000 / cpuElapsedMs) * 100 : 0;
  const windowMs = stoppedByCount ? Math.max(0, lastCountedAt - measureFrom) : spec.durationMs;
  return {
    workerIndex: spec.workerIndex,
    channels: clients.length,
    calls: histogram.count,
    errors,
    histogram: histogram.toSnapshot(),
    windowMs,
    warmupCalls,
    cpuPercent,
    stoppedByCount,
  };
}

let spec: WorkerSpec | undefined;
let clients: grpc.Client[] = [];

async function fail(error: unknown): Promise<never> {
  for (const client of clients) client.close();
  await send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

process.on('disconnect', () => process.exit(2)); // the coordinator is gone
process.on('message', (message: ToWorker) => {
  if (message.type === 'init') {
    spec = message.spec;
    clients = connect(spec);
    Promise.all(clients.map(waitForReady))
      .then(() => send({ type: 'ready' }))
      .catch((error: unknown) => fail(new Error(`cannot connect to ${spec!.target}: ${String(error)}`)));
  } else if (message.type === 'start' && spec) {
    run(spec, clients, message.startAtEpochMs)
      .then(async (result) => {
        for (const client of clients) client.close();
        await send({ type: 'result', result });
        process.exit(0);
      })
      .catch(fail);
  }
});
