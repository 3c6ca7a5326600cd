import { parsePercentage } from './tax-rate.js';

/** One row of the rate table: the tax of a country, or of one region (state, province) of it. */
export interface TaxRateEntry {
  /** "DE", or "US-NY" for a region: the key the entry is found by and reported as. */
  jurisdiction: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** The ISO 3166-2 subdivision code after the country's hyphen ("NY" of US-NY); absent for a whole country. */
  region?: string;
  /** The standard rate, in parts per million (`tax-rate.ts`). */
  ratePpm: number;
  /** Whether shipping is taxed here (at the standard rate). */
  shippingTaxed: boolean;
  /** A rate per tax class ("reduced" for books and food); a class not listed pays the standard rate. */
  reducedRatesPpm: ReadonlyMap<string, number>;
}

/** The rate table, keyed by jurisdiction ("DE", "US-NY"). */
export type TaxRateTable = ReadonlyMap<string, TaxRateEntry>;

/** One entry as a shop owner writes it in the JSON file (docs/tax.md). */
export interface TaxRateEntryJson {
  country: string;
  region?: string;
  rate: string;
  shippingTaxed: boolean;
  reducedRates?: Record<string, string>;
}

export const COUNTRY_CODE = /^[A-Z]{2}$/;
export const REGION_CODE = /^[A-Z0-9]{1,3}$/;
export const TAX_CLASS = /^[a-z][a-z0-9_]{0,31}$/;

const ENTRY_KEYS = new Set(['country', 'region', 'rate', 'shippingTaxed', 'reducedRates']);
const RATE_FORMAT = 'a string percentage from "0" to "100" with at most 4 decimals, such as "19" or "8.875"';

/** A table that cannot be used; the message names the entry at fault. */
export class InvalidTaxRateTable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTaxRateTable';
  }
}

/**
 * Checks a table read from JSON (an array of entries) and builds it; the first entry at fault is
 * refused with its position and jurisdiction.
 */
export function taxRateTableFrom(json: unknown): TaxRateTable {
  if (!Array.isArray(json)) throw new InvalidTaxRateTable('must be a JSON array of entries');
  const table = new Map<string, TaxRateEntry>();
  json.forEach((raw: unknown, index) => {
    const entry = entryFrom(raw, index);
    if (table.has(entry.jurisdiction)) {
      throw new InvalidTaxRateTable(`entry ${index} (${entry.jurisdiction}): appears twice`);
    }
    table.set(entry.jurisdiction, entry);
  });
  return table;
}

function entryFrom(raw: unknown, index: number): TaxRateEntry {
  const refuse = (label: string, problem: string): never => {
    throw new InvalidTaxRateTable(`entry ${index}${label}: ${problem}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return refuse('', 'must be an object');
  const fields = raw as Record<string, unknown>;
  const { country, region, rate, shippingTaxed, reducedRates } = fields;

  if (typeof country !== 'string' || !COUNTRY_CODE.test(country)) {
    return refuse('', 'country must be an ISO 3166-1 alpha-2 code in capitals, such as "DE"');
  }
  if (region !== undefined && (typeof region !== 'string' || !REGION_CODE.test(region))) {
    return refuse(
      ` (${country})`,
      'region must be a subdivision code of 1 to 3 capitals or digits, such as "NY"',
    );
  }
  const jurisdiction = region === undefined ? country : `${country}-${region}`;
  const at = ` (${jurisdiction})`;

  const unknown = Object.keys(fields).filter((key) => !ENTRY_KEYS.has(key));
  if (unknown.length > 0) return refuse(at, `unknown field "${unknown[0]}"`);
  const ratePpm = typeof rate === 'string' ? parsePercentage(rate) : undefined;
  if (ratePpm === undefined) return refuse(at, `rate must be ${RATE_FORMAT}`);
  if (typeof shippingTaxed !== 'boolean') return refuse(at, 'shippingTaxed must be true or false');

  const reducedRatesPpm = new Map<string, number>();
  if (reducedRates !== undefined) {
    if (typeof reducedRates !== 'object' || reducedRates === null || Array.isArray(reducedRates)) {
      return refuse(at, 'reducedRates must be an object of tax class to rate, such as {"reduced": "7"}');
    }
    for (const [taxClass, classRate] of Object.entries(reducedRates)) {
      if (!TAX_CLASS.test(taxClass)) {
        return refuse(at, `tax class "${taxClass}" must be lower-case letters, digits or _ (at most 32)`);
      }
      const classPpm = typeof classRate === 'string' ? parsePercentage(classRate) : undefined;
      if (classPpm === undefined) return refuse(at, `reducedRates.${taxClass} must be ${RATE_FORMAT}`);
      reducedRatesPpm.set(taxClass, classPpm);
    }
  }
  return {
    jurisdiction,
    country,
    ...(region === undefined ? {} : { region }),
    ratePpm,
    shippingTaxed,
    reducedRatesPpm,
  };
}

/**
 * The entry for a destination: the region's own entry when the table has one (US-NY), else the
 * country's (US), else undefined (the table does not tax this destination).
 */
export function taxRateEntryFor(
  table: TaxRateTable,
  destination: { country: string; region?: string },
): TaxRateEntry | undefined {
  const regional = destination.region ? table.get(`${destination.country}-${destination.region}`) : undefined;
  return regional ?? table.get(destination.country);
}
