import type { Money } from '../../../../gen/ecommerce/common/v1/money.js';
import { isUuid } from '../../../../lib/ids.js';
import { isCurrencyCode, MAX_AMOUNT_MINOR } from '../../../../lib/money.js';
import type { Violations } from '../../../../lib/validation/index.js';

/** Checks shared by coupons, promotions and pricing requests, each naming its field. */

/** Basis points of a percentage, 1-10000 (10000 = 100 %). */
export function checkBasisPoints(v: Violations, field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 10_000) {
    v.add(field, 'must be 1-10000 basis points (1000 = 10 %)');
  }
  return value;
}

/**
 * A currency code; '' is refused unless `optional`. Returns the code, or null when empty or at
 * fault (amounts are then not compared with it: one violation, not one per amount).
 */
export function checkCurrency(v: Violations, field: string, code: string, optional = false): string | null {
  if (code === '') {
    if (!optional) v.add(field, 'is required');
    return null;
  }
  if (!isCurrencyCode(code)) {
    v.add(field, 'must be an ISO 4217 code such as EUR');
    return null;
  }
  return code;
}

/**
 * An amount in `currency` (the owner's currency: a coupon's, a promotion's, a cart's): a valid
 * Money, in that currency, 0 (or 1 with `positive`) to the largest amount stored. Returns the minor
 * units (0 when at fault, so that later checks still run).
 */
export function checkAmount(
  v: Violations,
  field: string,
  money: Money,
  currency: string | null,
  options: { positive?: boolean } = {},
): number {
  const min = options.positive ? 1 : 0;
  if (!isCurrencyCode(money.currencyCode)) {
    v.add(`${field}.currency_code`, 'must be an ISO 4217 code such as EUR');
  } else if (currency !== null && money.currencyCode !== currency) {
    v.add(`${field}.currency_code`, `must be ${currency}, the currency of the whole`);
  }
  if (
    !Number.isSafeInteger(money.amountMinor) ||
    money.amountMinor < min ||
    money.amountMinor > MAX_AMOUNT_MINOR
  ) {
    v.add(
      `${field}.amount_minor`,
      `must be a whole number of minor units from ${min} to ${MAX_AMOUNT_MINOR}`,
    );
    return 0;
  }
  return money.amountMinor;
}

/** UUIDs, lower-cased, each checked (`field[i]`), repeats kept once, in sorted order. */
export function checkIds(v: Violations, field: string, ids: readonly string[]): string[] {
  const kept = new Set<string>();
  ids.forEach((id, index) => {
    if (!isUuid(id)) v.add(`${field}[${index}]`, 'must be a UUID');
    else kept.add(id.toLowerCase());
  });
  return [...kept].sort();
}

/** A starts/ends window: ends after starts when both are set. */
export function checkWindow(v: Violations, startsAt: Date | null, endsAt: Date | null): void {
  if (startsAt && endsAt && endsAt.getTime() <= startsAt.getTime())
    v.add('ends_at', 'must be after starts_at');
}
