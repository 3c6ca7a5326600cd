import { readInt, type Env } from '../../../lib/config/index.js';

/** The discount service's own settings, read once at start. */
export interface DiscountSettings {
  /** How long a reservation is held before the expiry job releases it. */
  reservationTtlSeconds: number;
  /** How often the expiry job looks for reservations past their time. */
  reservationSweepIntervalMs: number;
  /** Reservations released per transaction-free batch of the expiry job. */
  reservationSweepBatchSize: number;
  /** How often the running promotions are reloaded into memory. */
  promotionRefreshMs: number;
}

/**
 * DISCOUNT_RESERVATION_TTL_SECONDS (default 900): a reservation neither redeemed nor released by
 * then is released. DISCOUNT_RESERVATION_SWEEP_INTERVAL_MS (default 30 000): how often that is
 * looked for. DISCOUNT_PROMOTION_REFRESH_MS (default 5000): how stale another replica's view of the
 * promotions may be.
 */
export function discountSettingsFrom(env: Env): DiscountSettings {
  return {
    reservationTtlSeconds: readInt(env, 'DISCOUNT_RESERVATION_TTL_SECONDS', 900, { min: 1, max: 7 * 86_400 }),
    reservationSweepIntervalMs: readInt(env, 'DISCOUNT_RESERVATION_SWEEP_INTERVAL_MS', 30_000, {
      min: 100,
      max: 3_600_000,
    }),
    reservationSweepBatchSize: 100,
    promotionRefreshMs: readInt(env, 'DISCOUNT_PROMOTION_REFRESH_MS', 5000, { min: 100, max: 600_000 }),
  };
}
