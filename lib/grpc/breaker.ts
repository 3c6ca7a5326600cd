import * as grpc from '@grpc/grpc-js';
import CircuitBreaker from 'opossum';
import { AppError } from '../errors.js';
import { rootLogger } from '../log.js';
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
 * Failures that say something about the target's health. A caller's mistake (INVALID_ARGUMENT,
 * NOT_FOUND, FAILED_PRECONDITION, …) is an answer from a healthy service and never counts.
 */
const COUNTED_CODES = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.INTERNAL,
  grpc.status.UNKNOWN,
]);

export function countsTowardsOpening(error: unknown): boolean {
  return !(error instanceof AppError) || COUNTED_CODES.has(error.code);
}

const breakers = new Map<string, { breaker: TargetBreaker; options: BreakerOptions }>();
const logger = rootLogger.child({ component: 'breaker' });
const STATE_VALUE = { closed: 0, halfOpen: 1, open: 2 } as const;

function create(target: string, options: BreakerOptions): TargetBreaker {
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

/**
 * The one breaker of a target service in this process, shared by every client of it. The first
 * client to ask creates it with its options; later clients share it as it is.
 */
export function obtainBreaker(
  target: string,
  options: BreakerOptions = {},
): { breaker: TargetBreaker; options: BreakerOptions } {
  let entry = breakers.get(target);
  if (!entry) {
    entry = { breaker: create(target, options), options };
    breakers.set(target, entry);
  }
  return entry;
}

/** The breaker of a target, if any client of it exists (tests and diagnostics). */
export function breakerFor(target: string): TargetBreaker | undefined {
  return breakers.get(target)?.breaker;
}

/** Shuts down and forgets every breaker (tests: each starts from a closed breaker). */
export function resetBreakers(): void {
  for (const { breaker } of breakers.values()) breaker.shutdown();
  breakers.clear();
}

/** True for the rejection of a call that never ran because the breaker is open. */
export function isBreakerRejection(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return CircuitBreaker.isOurError(error as Error) && (code === 'EOPENBREAKER' || code === 'ESHUTDOWN');
}
