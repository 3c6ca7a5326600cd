import { MoneyType } from './db/money-type.js';
import { invalidArgument } from './errors.js';
import { ISO_4217_EXPONENTS } from './iso-4217.js';

/** Money as the platform handles it in code: integer minor units and an ISO 4217 code. */
export interface Money {
  currencyCode: string;
  amountMinor: number;
}

/** True for a current ISO 4217 code with a minor unit (`EUR`, `JPY`; not `QQQ`, `eur` or `XAU`). */
export function isCurrencyCode(code: string): boolean {
  return ISO_4217_EXPONENTS.has(code);
}

/**
 * Decimals of one major unit of the currency, the power of ten between it and `amount_minor`:
 * JPY 0, EUR 2, BHD/KWD/JOD 3, CLF 4. Throws for a code `isCurrencyCode` refuses.
 */
export function minorUnitExponent(code: string): number {
  const exponent = ISO_4217_EXPONENTS.get(code);
  if (exponent === undefined) throw new RangeError(`not an ISO 4217 currency code: "${code}"`);
  return exponent;
}

/**
 * Validates a Money message from a request: required, a current ISO 4217 currency, and a whole,
 * non-negative amount of minor units within the range a numeric(12,2) column can hold. (An
 * integer of minor units cannot be more precise than its currency allows: no check is needed.)
 */
export function requireMoney(value: Money | undefined, field: string): Money {
  if (!value) throw invalidArgument(field, 'is required');
  if (!isCurrencyCode(value.currencyCode)) {
    throw invalidArgument(`${field}.currency_code`, 'must be an ISO 4217 code such as EUR');
  }
  if (!Number.isSafeInteger(value.amountMinor) || value.amountMinor < 0) {
    throw invalidArgument(`${field}.amount_minor`, 'must be a whole number of minor units, 0 or more');
  }
  if (value.amountMinor > MAX_AMOUNT_MINOR) {
    throw invalidArgument(`${field}.amount_minor`, `must be at most ${MAX_AMOUNT_MINOR}`);
  }
  return { currencyCode: value.currencyCode, amountMinor: value.amountMinor };
}

/** The largest amount the platform stores (a numeric(12,2) column of minor units / 100). */
export const MAX_AMOUNT_MINOR = MoneyType.MAX_MINOR_UNITS;

export function money(currencyCode: string, amountMinor: number): Money {
  return { currencyCode, amountMinor };
}
