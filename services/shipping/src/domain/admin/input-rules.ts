import type { Money } from '../../../../../lib/money.js';
import { isCurrencyCode, MAX_AMOUNT_MINOR } from '../../../../../lib/money.js';
import type { Violations } from '../../../../../lib/validation/index.js';

/** The shipping service's own formats; required, UUID and text lengths are lib/validation's. */

const CARRIER_CODE = /^[a-z0-9_]{1,32}$/;
const HTTP_URL = /^https?:\/\/\S+$/;
export const MAX_CONFIGURATION_LENGTH = 4096;

export function carrierCode(v: Violations, field: string, value: string): string {
  const code = value.trim();
  if (code === '') v.add(field, 'is required');
  else if (!CARRIER_CODE.test(code)) v.add(field, 'must be 1-32 characters of a-z, 0-9 and _');
  return code;
}

/** An absolute http(s) URL of at most 500 characters, or nothing ('' → null). */
export function optionalHttpUrl(v: Violations, field: string, value: string): string | null {
  const url = value.trim();
  if (url === '') return null;
  if (url.length > 500 || !HTTP_URL.test(url) || !URL.canParse(url)) {
    v.add(field, 'must be an absolute http(s) URL of at most 500 characters');
  }
  return url;
}

/** A JSON object ('' → {}). */
export function configurationObject(v: Violations, field: string, value: string): Record<string, unknown> {
  if (value.trim() === '') return {};
  if (value.length > MAX_CONFIGURATION_LENGTH) {
    v.add(field, `must be at most ${MAX_CONFIGURATION_LENGTH} characters`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // refused below
  }
  v.add(field, 'must be a JSON object');
  return {};
}

/**
 * An amount of money from a request: a supported currency (the one given when `currency` is set),
 * a whole number of minor units from 0 to the largest stored amount. Returns the minor units.
 */
export function amount(v: Violations, field: string, value: Money | undefined, currency?: string): number {
  if (!value) {
    v.add(field, 'is required');
    return 0;
  }
  if (!isCurrencyCode(value.currencyCode))
    v.add(`${field}.currency_code`, 'must be an ISO 4217 code such as EUR');
  else if (currency !== undefined && currency !== '' && value.currencyCode !== currency) {
    v.add(`${field}.currency_code`, `must be the method's currency ${currency}`);
  }
  if (
    !Number.isSafeInteger(value.amountMinor) ||
    value.amountMinor < 0 ||
    value.amountMinor > MAX_AMOUNT_MINOR
  ) {
    v.add(`${field}.amount_minor`, `must be a whole number of minor units from 0 to ${MAX_AMOUNT_MINOR}`);
  }
  return value.amountMinor;
}
