import * as grpc from '@grpc/grpc-js';
import CircuitBreaker from 'opossum';
import { rootLogger, type Logger } from '../log.js';
import { breakerState } from '../metrics.js';

export interface BreakerOptions {
  /** Cap on one attempt's deadline (the call's own deadline applies too; default: none). */
  timeoutMs?: number;
  /** Failure percentage in the rolling window that opens the breaker (default 50). */
  errorThresholdPercentage?: number;
  /** How long the breaker stays open before it lets one trial call through (default 10 s). */
  resetTimeoutMs?: number;
  /** Calls in the rolling window before the breaker may open at all (default 10). */
  volumeThreshold?: number;
  /** Length of the rolling statistics window (default 10 s). */
  rollingWindowMs?: number;
}

export type TargetBreaker = CircuitBreaker<[() => Promise<unknown>], unknown>;

/**
 * The target's own failures: it is down, too slow, or broken. Every other status is an answer
 * from a healthy service about one call (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION,
 * ALREADY_EXISTS, PERMISSION_DENIED, UNAUTHENTICATED, ABORTED, …) and never counts.
 * RESOURCE_EXHAUSTED does not count either: the platform answers it for one customer's limit (too
 * many login attempts); a service overloaded as a whole sheds load with UNAVAILABLE.
 */
const COUNTED_CODES = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.INTERNAL,
  grpc.status.UNKNOWN,
  grpc.status.DATA_LOSS,
]);

/** Decided on the target's status as it answered (a grpc-js ServiceError); anything else counts. */
export function countsTowardsOpening(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code !== 'number' || COUNTED_CODES.has(code);
}

interface BreakerEntry {
  breaker: TargetBreaker;
  options: BreakerOptions;
}

/** By target, then by tuning (both keys are strings made once, so lookups hash nothing new). */
const breakers = new Map<string, Map<string, BreakerEntry>>();
const STATE_VALUE = { closed: 0, halfOpen: 1, open: 2 } as const;

function create(target: string, options: BreakerOptions, logger: Logger): TargetBreaker {
  const resetTimeoutMs = options.resetTimeoutMs ?? 10_000;
  const breaker: TargetBreaker = new CircuitBreaker((attempt: () => Promise<unknown>) => attempt(), {
    name: target,
    timeout: false, // every attempt carries a gRPC deadline, which also cancels the call
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    resetTimeout: resetTimeoutMs,
    volumeThreshold: options.volumeThreshold ?? 10,
    rollingCountTimeout: options.rollingWindowMs ?? 10_000,
    errorFilter: (error: unknown) => !countsTowardsOpening(error),
  });
  breakerState.set({ target }, STATE_VALUE.closed);
  breaker.on('open', () => {
    breakerState.set({ target }, STATE_VALUE.open);
    logger.warn({ target, resetTimeoutMs }, `circuit to ${target} opened`);
  });
  breaker.on('halfOpen', () => {
    breakerState.set({ target }, STATE_VALUE.halfOpen);
    logger.info({ target }, `circuit to ${target} half-open: trying one call`);
  });
  breaker.on('close', () => {
    breakerState.set({ target }, STATE_VALUE.closed);
    logger.info({ target }, `circuit to ${target} closed`);
  });
  return breaker;
}

// A client passes the same options object on every call: its spelling is worked out once.
const tunings = new WeakMap<BreakerOptions, string>();
const NO_OPTIONS: BreakerOptions = {};

/** The options as the breaker applies them: two spellings of the same tuning share a breaker. */
function tuningOf(options: BreakerOptions): string {
  let tuning = tunings.get(options);
  if (tuning === undefined) {
    const { timeoutMs, errorThresholdPercentage = 50, resetTimeoutMs = 10_000 } = options;
    const { volumeThreshold = 10, rollingWindowMs = 10_000 } = options;
    tuning = JSON.stringify([
      timeoutMs ?? null,
      errorThresholdPercentage,
      resetTimeoutMs,
      volumeThreshold,
      rollingWindowMs,
    ]);
    tunings.set(options, tuning);
  }
  return tuning;
}

/**
 * The breaker of a target service and tuning in this process, shared by every client that asks
 * with the same options (all the clients made by `createServiceClient` in one process do: their
 * tuning comes from the same environment). A client with other options gets a breaker of its own,
 * tuned as it asked, rather than silently sharing one tuned for someone else. The breaker logs its
 * state changes through `logger` of the client that made it (its lines name the target).
 */
export function obtainBreaker(
  target: string,
  options: BreakerOptions = NO_OPTIONS,
  logger: Logger = rootLogger,
): BreakerEntry {
  let ofTarget = breakers.get(target);
  if (!ofTarget) breakers.set(target, (ofTarget = new Map()));
  const tuning = tuningOf(options);
  let entry = ofTarget.get(tuning);
  if (!entry) {
    entry = { breaker: create(target, options, logger), options };
    ofTarget.set(tuning, entry);
  }
  return entry;
}

/** The breaker of a target (with these options; default: the first made), if any (tests, diagnostics). */
export function breakerFor(target: string, options?: BreakerOptions): TargetBreaker | undefined {
  const ofTarget = breakers.get(target);
  if (options) return ofTarget?.get(tuningOf(options))?.breaker;
  return ofTarget?.values().next().value?.breaker;
}

/** Shuts down and forgets every breaker (tests: each starts from a closed breaker). */
export function resetBreakers(): void {
  for (const ofTarget of breakers.values()) for (const { breaker } of ofTarget.values()) breaker.shutdown();
  breakers.clear();
}

/** True for the rejection of a call that never ran because the breaker is open. */
export function isBreakerRejection(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return CircuitBreaker.isOurError(error as Error) && (code === 'EOPENBREAKER' || code === 'ESHUTDOWN');
}
