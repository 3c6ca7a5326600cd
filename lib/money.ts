import { invalidArgument } from './errors.js';

/** Money as the platform handles it in code: integer minor units and an ISO 4217 code. */
export interface Money {
  currencyCode: string;
  amountMinor: number;
}

const CURRENCY_CODE = /^[A-Z]{3}$/;

/**
 * Validates a Money message from a request: required, a three-letter upper-case currency, and a
 * whole, non-negative amount of minor units within the range a numeric(12,2) column can hold.
 */
export function requireMoney(value: Money | undefined, field: string): Money {
  if (!value) throw invalidArgument(field, 'is required');
  if (!CURRENCY_CODE.test(value.currencyCode)) {
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

/** numeric(12,2): ten digits before the point. */
export const MAX_AMOUNT_MINOR = 999_999_999_999;

export function money(currencyCode: string, amountMinor: number): Money {
  return { currencyCode, amountMinor };
}
