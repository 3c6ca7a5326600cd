import { ConfigError, readInt, readString, type Env } from '../../../lib/config/index.js';

/** The cart service's own settings, read once at start. */
export interface CartSettings {
  /** How long an active cart may stay unchanged before it is marked abandoned. */
  idleExpiryMs: number;
  /** How often the expiry job looks for idle carts. */
  sweepIntervalMs: number;
  /** Carts marked abandoned per transaction of the expiry job. */
  sweepBatchSize: number;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+)(s|m|h|d)$/;

/** A duration such as `45m`, `12h` or `7d`; from 1 minute to 365 days. */
function readDuration(env: Env, name: string, fallback: string): number {
  const value = readString(env, name, fallback)!;
  const match = DURATION.exec(value);
  if (!match) {
    throw new ConfigError(name, `must be a whole number followed by s, m, h or d (e.g. 7d), got "${value}"`);
  }
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  if (ms < 60_000 || ms > 365 * 86_400_000) {
    throw new ConfigError(name, `must be between 1m and 365d, got "${value}"`);
  }
  return ms;
}

/**
 * CART_IDLE_EXPIRY (default 7d): idle time after which an active cart is abandoned.
 * CART_EXPIRY_SWEEP_INTERVAL_MS (default 60 000): how often the expiry job runs.
 */
export function cartSettingsFrom(env: Env): CartSettings {
  return {
    idleExpiryMs: readDuration(env, 'CART_IDLE_EXPIRY', '7d'),
    sweepIntervalMs: readInt(env, 'CART_EXPIRY_SWEEP_INTERVAL_MS', 60_000, { min: 100, max: 86_400_000 }),
    sweepBatchSize: 100,
  };
}
