/**
 * Load driver for unary gRPC: forks client processes (worker.ts), each running its share of the
 * concurrent calls, starts them together, and merges what they measured. Several client
 * processes because one grpc-js client process saturates before the server does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { assertLoopback } from './address.js';
import { Histogram } from './histogram.js';
import {
  channelCount,
  type ChannelMode,
  type FromWorker,
  type ToWorker,
  type WorkerResult,
  type WorkerSpec,
} from './protocol.js';
import { scenarioNamed, scenarioTarget } from './scenarios.js';
import { siblingScript } from '../sibling-script.js';

export type { ChannelMode } from './protocol.js';

/**
 * Channels per client process when not given. Alternating `single` and `per16` against a grpc-js
 * health server (2 clients, 64 and 128 in flight, shared 2-core machine) showed no difference
 * beyond the noise, so the simpler one stays; see bench/README.md.
 */
export const DEFAULT_CHANNELS: ChannelMode = 'single';

export const LIMITS = {
  maxInFlight: 4096,
  maxClients: 32,
  maxDurationSeconds: 600,
  maxWarmupSeconds: 120,
  /** Total calls of one run, over all workers: a run also stops by count, never only by time. */
  maxCalls: 20_000_000,
} as const;

export interface LoadOptions {
  /** A name from SCENARIOS (scenarios.ts). */
  scenario: string;
  /** `127.0.0.1:<port>`; default: the scenario's `<SERVICE>_GRPC_ADDR`, else its default port. */
  target?: string;
  /** Concurrent calls in total, split over the client processes. */
  inFlight: number;
  /** Client processes (default 2). */
  clients?: number;
  durationSeconds: number;
  /** Calls before the measurement window, not counted (default 2). */
  warmupSeconds?: number;
  /** Channels per client process (default DEFAULT_CHANNELS). */
  channels?: ChannelMode;
  /** The scenario's prepared context; when absent, runLoad runs scenario.prepare() itself. */
  context?: unknown;
  /** Cap on the calls of the run (default and maximum LIMITS.maxCalls). */
  maxCalls?: number;
  /** Deadline of each call (default 10 s). */
  callTimeoutMs?: number;
}

export interface LoadResult {
  scenario: string;
  target: string;
  inFlight: number;
  clients: number;
  channels: ChannelMode;
  /** Channels (TCP connections) each client process opened. */
  channelsPerClient: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Successful calls completed inside the measurement window. */
  calls: number;
  /** Failed calls inside the window, by gRPC status name. */
  errors: Record<string, number>;
  /** Successful calls per second. */
  callsPerSecond: number;
  /** Latency percentiles of the successful calls. */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** CPU of each client process during the window, in % of one core: near 100 means the client saturated. */
  clientCpuPercent: number[];
  /** True when the call cap, not the duration, ended the run. */
  stoppedByCount: boolean;
}

const READY_TIMEOUT_MS = 20_000;
const START_DELAY_MS = 250;

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer ${min}-${max}, got ${value}`);
  }
  return value;
}

function checkSeconds(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be ${min}-${max} seconds, got ${value}`);
  }
  return value;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Splits `total` as evenly as possible into `parts`. */
function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, k) => Math.floor(total / parts) + (k < total % parts ? 1 : 0));
}

/**
 * Forks the workers and drives them through init → ready → start → result. Every path out of here
 * (result, worker failure, timeout) kills whatever worker is still alive.
 */
async function runWorkers(specs: WorkerSpec[], resultTimeoutMs: number): Promise<WorkerResult[]> {
  const { path, execArgv } = siblingScript(import.meta.url, 'worker');
  const children: ChildProcess[] = [];
  const results: WorkerResult[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<WorkerResult[]>((resolve, reject) => {
      let ready = 0;
      const fail = (message: string): void => reject(new Error(message));
      timer = setTimeout(
        () => fail(`workers did not become ready within ${READY_TIMEOUT_MS} ms`),
        READY_TIMEOUT_MS,
      );
      for (const spec of specs) {
        const child = fork(path, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        child.on('error', (error) => fail(`worker ${spec.workerIndex}: ${error.message}`));
        // 'close' comes after the IPC channel is drained, so a result sent just before exiting is in.
        child.on('close', (code, signal) => {
          if (!results.some((result) => result.workerIndex === spec.workerIndex)) {
            fail(`worker ${spec.workerIndex} exited (${signal ?? `code ${code}`}) before reporting`);
          }
        });
        child.on('message', (message: FromWorker) => {
          if (message.type === 'failed') {
            fail(`worker ${spec.workerIndex}: ${message.message}`);
          } else if (message.type === 'ready' && ++ready === specs.length) {
            clearTimeout(timer);
            const start: ToWorker = { type: 'start', startAtEpochMs: Date.now() + START_DELAY_MS };
            for (const each of children) each.send(start);
            timer = setTimeout(
              () => fail(`workers did not report within ${resultTimeoutMs} ms`),
              START_DELAY_MS + resultTimeoutMs,
            );
          } else if (message.type === 'result') {
            results.push(message.result);
            if (results.length === specs.length) resolve(results);
          }
        });
        const init: ToWorker = { type: 'init', spec };
        child.send(init);
      }
    });
  } finally {
    clearTimeout(timer);
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}

/** Runs one load test and returns the merged measurements. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const scenario = scenarioNamed(options.scenario);
  const target = assertLoopback(options.target ?? scenarioTarget(scenario));
  const inFlight = checkInt('inFlight', options.inFlight, 1, LIMITS.maxInFlight);
  const clients = checkInt('clients', options.clients ?? 2, 1, Math.min(LIMITS.maxClients, inFlight));
  const durationSeconds = checkSeconds(
    'durationSeconds',
    options.durationSeconds,
    0.1,
    LIMITS.maxDurationSeconds,
  );
  const warmupSeconds = checkSeconds('warmupSeconds', options.warmupSeconds ?? 2, 0, LIMITS.maxWarmupSeconds);
  const channels = options.channels ?? DEFAULT_CHANNELS;
  if (channels !== 'single' && channels !== 'per16') throw new Error(`channels must be single or per16`);
  const maxCalls = checkInt('maxCalls', options.maxCalls ?? LIMITS.maxCalls, 1, LIMITS.maxCalls);
  const callTimeoutMs = checkInt('callTimeoutMs', options.callTimeoutMs ?? 10_000, 1, 60_000);
  const context =
    options.context === undefined ? await scenario.prepare(target, process.env) : options.context;

  const inFlightPerWorker = split(inFlight, clients);
  const callsPerWorker = split(maxCalls, clients);
  const specs = inFlightPerWorker.map((workerInFlight, workerIndex): WorkerSpec => ({
    workerIndex,
    workers: clients,
    scenario: scenario.name,
    target,
    inFlight: workerInFlight,
    channels,
    context,
    warmupMs: warmupSeconds * 1000,
    durationMs: durationSeconds * 1000,
    maxCalls: Math.max(1, callsPerWorker[workerIndex]!),
    callTimeoutMs,
  }));
  const results = await runWorkers(specs, (warmupSeconds + durationSeconds) * 1000 + callTimeoutMs + 10_000);

  const histogram = new Histogram();
  const errors: Record<string, number> = {};
  let callsPerSecond = 0;
  for (const result of results) {
    histogram.merge(result.histogram);
    for (const [code, count] of Object.entries(result.errors)) errors[code] = (errors[code] ?? 0) + count;
    if (result.windowMs > 0) callsPerSecond += result.calls / (result.windowMs / 1000);
  }
  results.sort((a, b) => a.workerIndex - b.workerIndex);
  return {
    scenario: scenario.name,
    target,
    inFlight,
    clients,
    channels,
    channelsPerClient: channelCount(channels, Math.max(...inFlightPerWorker)),
    durationSeconds,
    warmupSeconds,
    calls: histogram.count,
    errors,
    callsPerSecond: round(callsPerSecond, 1),
    p50Ms: round(histogram.percentileMs(50), 3),
    p90Ms: round(histogram.percentileMs(90), 3),
    p99Ms: round(histogram.percentileMs(99), 3),
    maxMs: round(histogram.maxMs, 3),
    meanMs: round(histogram.meanMs, 3),
    clientCpuPercent: results.map((result) => round(result.cpuPercent, 1)),
    stoppedByCount: results.some((result) => result.stoppedByCount),
  };
}
