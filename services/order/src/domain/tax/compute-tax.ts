import { MAX_AMOUNT_MINOR, minorUnitExponent } from '../../../../../lib/money.js';
import { COUNTRY_CODE, REGION_CODE, TAX_CLASS, taxRateEntryFor, type TaxRateTable } from './rate-table.js';
import { formatPercentage, PPM } from './tax-rate.js';

/** One line of the order, after its discount. */
export interface TaxLineInput {
  lineId: string;
  /** The line's amount after its allocated discount, in minor units (unit price × quantity − discount). */
  amountMinor: number;
  quantity: number;
  /** A class with its own rate where the table gives one ("reduced"); absent: the standard rate. */
  taxClass?: string;
}

export interface TaxInput {
  /** ISO 4217; every amount is in its minor units (1 cent, 1 yen, 1 fils). */
  currencyCode: string;
  /** Where the order ships: ISO 3166-1 alpha-2 country and, optionally, the ISO 3166-2 region after its hyphen. */
  destination: { country: string; region?: string };
  lines: readonly TaxLineInput[];
  /** Shipping after its discount, in minor units. */
  shippingMinor: number;
  /** True: the amounts include tax (VAT shops) and the tax is extracted; false: tax is added on top. */
  pricesIncludeTax: boolean;
}

/** An amount split into net and tax at the rate applied; net + tax = gross exactly. */
export interface TaxedAmount {
  netMinor: number;
  taxMinor: number;
  grossMinor: number;
  /** The rate applied, in parts per million, and as the percentage it stands for ("8.875"). */
  ratePpm: number;
  rate: string;
}

export interface TaxedLine extends TaxedAmount {
  lineId: string;
  quantity: number;
  taxClass?: string;
}

export interface TaxBreakdown {
  currencyCode: string;
  pricesIncludeTax: boolean;
  /**
   * The table entry that applied ("US-NY", "DE"), or null when the table has no entry for the
   * destination: then every rate and every tax is 0, and the checkout decides whether to sell there.
   */
  jurisdiction: string | null;
  /** In the order of the input. */
  lines: TaxedLine[];
  shipping: TaxedAmount & { taxed: boolean };
  lineTaxMinor: number;
  /** lineTaxMinor + shipping.taxMinor. */
  taxTotalMinor: number;
  /** Lines and shipping without tax; netTotalMinor + taxTotalMinor = grossTotalMinor. */
  netTotalMinor: number;
  /** What the customer pays: lines and shipping with tax. */
  grossTotalMinor: number;
}

/**
 * The tax of an order, from the rate table's entry for its destination. Each line and the
 * shipping are taxed on their discounted amount and rounded on their own, half-up to a whole minor
 * unit of the currency; the totals are the sums of those rounded amounts.
 *
 * Exclusive prices: tax = round(amount × rate). Inclusive: net = round(amount / (1 + rate)) and
 * tax = amount − net. Malformed input (the checkout's own bug, never a customer's) throws RangeError.
 */
export function computeTax(table: TaxRateTable, input: TaxInput): TaxBreakdown {
  checkInput(input);
  const entry = taxRateEntryFor(table, input.destination);
  const split = (amountMinor: number, ratePpm: number): TaxedAmount => ({
    ...splitAmount(amountMinor, ratePpm, input.pricesIncludeTax),
    ratePpm,
    rate: formatPercentage(ratePpm),
  });

  const lines = input.lines.map((line): TaxedLine => {
    const classRate = line.taxClass === undefined ? undefined : entry?.reducedRatesPpm.get(line.taxClass);
    return {
      lineId: line.lineId,
      quantity: line.quantity,
      ...(line.taxClass === undefined ? {} : { taxClass: line.taxClass }),
      ...split(line.amountMinor, classRate ?? entry?.ratePpm ?? 0),
    };
  });
  const shippingTaxed = entry?.shippingTaxed === true;
  const shipping = { taxed: shippingTaxed, ...split(input.shippingMinor, shippingTaxed ? entry.ratePpm : 0) };

  const lineTaxMinor = sum(lines.map((line) => line.taxMinor));
  return {
    currencyCode: input.currencyCode,
    pricesIncludeTax: input.pricesIncludeTax,
    jurisdiction: entry?.jurisdiction ?? null,
    lines,
    shipping,
    lineTaxMinor,
    taxTotalMinor: sum([lineTaxMinor, shipping.taxMinor]),
    netTotalMinor: sum([...lines.map((line) => line.netMinor), shipping.netMinor]),
    grossTotalMinor: sum([...lines.map((line) => line.grossMinor), shipping.grossMinor]),
  };
}

function splitAmount(amountMinor: number, ratePpm: number, pricesIncludeTax: boolean) {
  if (pricesIncludeTax) {
    const netMinor = divideHalfUp(BigInt(amountMinor) * BigInt(PPM), BigInt(PPM + ratePpm));
    return { netMinor, taxMinor: amountMinor - netMinor, grossMinor: amountMinor };
  }
  const taxMinor = divideHalfUp(BigInt(amountMinor) * BigInt(ratePpm), BigInt(PPM));
  return { netMinor: amountMinor, taxMinor, grossMinor: amountMinor + taxMinor };
}

/**
 * numerator / denominator rounded half-up to a whole number, for numerator ≥ 0 and denominator > 0.
 * In BigInt because amount × ppm passes 2^53; the quotient itself is at most the amount.
 */
function divideHalfUp(numerator: bigint, denominator: bigint): number {
  return Number((2n * numerator + denominator) / (2n * denominator));
}

function sum(amounts: number[]): number {
  const total = amounts.reduce((a, b) => a + b, 0);
  if (!Number.isSafeInteger(total)) throw new RangeError(`tax: a total of ${total} minor units is too large`);
  return total;
}

function checkInput(input: TaxInput): void {
  // Throws for a code that is not a current ISO 4217 currency. Amounts are whole minor units of it
  // (JPY 0 decimals, EUR 2, KWD 3), so rounding to a minor unit is rounding to its decimals.
  minorUnitExponent(input.currencyCode);
  const { country, region } = input.destination;
  if (!COUNTRY_CODE.test(country))
    throw new RangeError(`tax: destination country "${country}" is not alpha-2`);
  if (region !== undefined && !REGION_CODE.test(region)) {
    throw new RangeError(`tax: destination region "${region}" is not a subdivision code`);
  }
  checkAmount(input.shippingMinor, 'shipping');
  const ids = new Set<string>();
  for (const line of input.lines) {
    if (line.lineId === '' || ids.has(line.lineId)) {
      throw new RangeError(`tax: line id "${line.lineId}" is empty or repeated`);
    }
    ids.add(line.lineId);
    checkAmount(line.amountMinor, `line ${line.lineId}`);
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      throw new RangeError(`tax: line ${line.lineId} quantity ${line.quantity} is not a whole number ≥ 1`);
    }
    if (line.taxClass !== undefined && !TAX_CLASS.test(line.taxClass)) {
      throw new RangeError(`tax: line ${line.lineId} tax class "${line.taxClass}" is malformed`);
    }
  }
}

function checkAmount(amountMinor: number, what: string): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0 || amountMinor > MAX_AMOUNT_MINOR) {
    throw new RangeError(
      `tax: ${what} amount ${amountMinor} is not a whole number of minor units in 0..${MAX_AMOUNT_MINOR}`,
    );
  }
}
