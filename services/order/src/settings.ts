import { readFileSync } from 'node:fs';
import { ConfigError, readBoolean, readString, type Env } from '../../../lib/config/index.js';
import { exampleTaxRateTable } from './domain/tax/default-rates.js';
import { InvalidTaxRateTable, taxRateTableFrom, type TaxRateTable } from './domain/tax/rate-table.js';

/** The order service's own settings, read once at start. */
export interface OrderSettings {
  /** The tax rate per destination (docs/tax.md). */
  taxRates: TaxRateTable;
  /** Whether prices (lines and shipping) include tax: VAT shops. */
  pricesIncludeTax: boolean;
}

/**
 * TAX_RATES_FILE (optional): path of a JSON rate table; unset, the example table of
 * `domain/tax/default-rates.ts`. A file that cannot be read or used refuses the start, naming the entry.
 * TAX_PRICES_INCLUDE_TAX (default false): prices include tax, which is extracted from them.
 */
export function orderSettingsFrom(env: Env): OrderSettings {
  const path = readString(env, 'TAX_RATES_FILE');
  return {
    taxRates: path === undefined ? exampleTaxRateTable() : taxRatesFromFile(path),
    pricesIncludeTax: readBoolean(env, 'TAX_PRICES_INCLUDE_TAX', false),
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
