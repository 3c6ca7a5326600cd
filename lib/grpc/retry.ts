import * as grpc from '@grpc/grpc-js';
import { AppError } from '../errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** Base of the exponential backoff between attempts (default 50 ms). */
  backoffMs?: number;
}

/** Failures worth another attempt of an idempotent RPC: the target may answer next time. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof AppError &&
    (error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED)
  );
}

/** Exponential backoff with jitter: between half and all of `base · 2^(attempt-1)`. */
export function backoffDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = baseMs * 2 ** (attempt - 1);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
