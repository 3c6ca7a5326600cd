import * as grpc from '@grpc/grpc-js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** Base of the exponential backoff between attempts (default 50 ms). */
  backoffMs?: number;
}

const TRANSIENT_CODES = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.ABORTED,
]);

/**
 * Failures worth another attempt of an idempotent RPC, by the status the target answered: it may
 * answer next time (UNAVAILABLE, DEADLINE_EXCEEDED), or its transaction lost a race and was rolled
 * back (ABORTED).
 */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'number' && TRANSIENT_CODES.has(code);
}

/** Exponential backoff with jitter: between half and all of `base · 2^(attempt-1)`. */
export function backoffDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = baseMs * 2 ** (attempt - 1);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
