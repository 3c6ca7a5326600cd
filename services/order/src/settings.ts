import { readFileSync } from 'node:fs';
import { ConfigError, readBoolean, readInt, readString, type Env } from '../../../lib/config/index.js';
import { exampleTaxRateTable } from './domain/tax/default-rates.js';
import { InvalidTaxRateTable, taxRateTableFrom, type TaxRateTable } from './domain/tax/rate-table.js';

/** The order service's own settings, read once at start. */
export interface OrderSettings {
  /** The tax rate per destination (docs/tax.md). */
  taxRates: TaxRateTable;
  /** Whether prices (lines and shipping) include tax: VAT shops. */
  pricesIncludeTax: boolean;
  /** How long a replica holds a checkout it runs without saving a step before another may take it over. */
  checkoutLeaseMs: number;
  /** A checkout's own budget for its calls (steps, compensations), whatever its caller's deadline. */
  checkoutDeadlineMs: number;
  /** How often the recovery looks for checkouts that stopped halfway (and once at start). */
  checkoutRecoveryIntervalMs: number;
  /** Checkouts one replica runs at once; more wait their turn. */
  checkoutConcurrency: number;
}

/**
 * TAX_RATES_FILE (optional): path of a JSON rate table; unset, the example table of
 * `domain/tax/default-rates.ts`. A file that cannot be read or used refuses the start, naming the entry.
 * TAX_PRICES_INCLUDE_TAX (default false): prices include tax, which is extracted from them.
 * CHECKOUT_LEASE_MS (default 15 000): a checkout silent for longer (its replica died) is resumed elsewhere.
 * CHECKOUT_DEADLINE_MS (default 30 000): the budget of a checkout's calls, and of each recovery run.
 * CHECKOUT_RECOVERY_INTERVAL_MS (default 5 000): how often stalled checkouts are looked for.
 * CHECKOUT_CONCURRENCY (default 16): checkouts one replica runs at once; a burst beyond it queues.
 */
export function orderSettingsFrom(env: Env): OrderSettings {
  const path = readString(env, 'TAX_RATES_FILE');
  return {
    taxRates: path === undefined ? exampleTaxRateTable() : taxRatesFromFile(path),
    pricesIncludeTax: readBoolean(env, 'TAX_PRICES_INCLUDE_TAX', false),
    checkoutLeaseMs: readInt(env, 'CHECKOUT_LEASE_MS', 15_000, { min: 100, max: 3_600_000 }),
    checkoutDeadlineMs: readInt(env, 'CHECKOUT_DEADLINE_MS', 30_000, { min: 100, max: 3_600_000 }),
    checkoutRecoveryIntervalMs: readInt(env, 'CHECKOUT_RECOVERY_INTERVAL_MS', 5_000, {
      min: 50,
      max: 3_600_000,
    }),
    checkoutConcurrency: readInt(env, 'CHECKOUT_CONCURRENCY', 16, { min: 1, max: 10_000 }),
  };
}

function taxRatesFromFile(path: string): TaxRateTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('TAX_RATES_FILE', `cannot be read from "${path}": ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('TAX_RATES_FILE', `"${path}" is not JSON: ${(error as Error).message}`);
  }
  try {
    return taxRateTableFrom(json);
  } catch (error) {
    if (error instanceof InvalidTaxRateTable) {
      throw new ConfigError('TAX_RATES_FILE', `"${path}": ${error.message}`);
    }
    throw error;
  }
}
