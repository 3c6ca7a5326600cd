import type { HistogramSnapshot } from './histogram.js';

/** How many gRPC channels (TCP connections) a worker opens. */
export type ChannelMode = 'single' | 'per16';

/** Channels a worker opens for `inFlight` concurrent loops: one, or one per 16 loops. */
export function channelCount(mode: ChannelMode, inFlight: number): number {
  return mode === 'single' ? 1 : Math.max(1, Math.ceil(inFlight / 16));
}

/** What the coordinator tells one worker process to do. */
export interface WorkerSpec {
  workerIndex: number;
  workers: number;
  scenario: string;
  target: string;
  /** Concurrent call loops in this worker. */
  inFlight: number;
  channels: ChannelMode;
  /** The scenario's prepare() result, as JSON. */
  context: unknown;
  warmupMs: number;
  durationMs: number;
  /** This worker stops issuing calls after this many, whatever the time. */
  maxCalls: number;
  callTimeoutMs: number;
}

/** What one worker measured during the measurement window (after warm-up). */
export interface WorkerResult {
  workerIndex: number;
  channels: number;
  /** Successful calls that completed inside the window. */
  calls: number;
  /** Failed calls that completed inside the window, by gRPC status name. */
  errors: Record<string, number>;
  /** Latencies of the successful calls. */
  histogram: HistogramSnapshot;
  /** Length of the window: the duration, or less when the call cap stopped the worker. */
  windowMs: number;
  warmupCalls: number;
  /** CPU (user + system) this worker used during the window, in % of one core. */
  cpuPercent: number;
  stoppedByCount: boolean;
}

export type ToWorker = { type: 'init'; spec: WorkerSpec } | { type: 'start'; startAtEpochMs: number };

export type FromWorker =
  { type: 'ready' } | { type: 'result'; result: WorkerResult } | { type: 'failed'; message: string };
