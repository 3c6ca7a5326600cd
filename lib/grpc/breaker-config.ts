import { readInt, type Env } from '../config/env.js';
import type { BreakerOptions } from './breaker.js';

/**
 * Breaker tuning from the environment, the same for every client of a process:
 * BREAKER_RESET_TIMEOUT_MS (how long an open breaker waits before a trial call, default 10 s) and
 * BREAKER_VOLUME_THRESHOLD (calls in the window before it may open, default 10).
 */
export function breakerOptionsFrom(env: Env): BreakerOptions {
  return {
    resetTimeoutMs: readInt(env, 'BREAKER_RESET_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 }),
    volumeThreshold: readInt(env, 'BREAKER_VOLUME_THRESHOLD', 10, { min: 1, max: 10_000 }),
  };
}
