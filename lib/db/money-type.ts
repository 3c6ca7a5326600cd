import { Type, p, type EntityProperty, type Platform } from '@mikro-orm/core';

/**
 * Money in the database is `numeric(12,2)` beside a `currency char(3)` column; in code it is an
 * integer number of minor units (cents): '12.34' ⇄ 1234. This type does that mapping for every
 * money property of every entity (`price: money()`), so no service ever sees a float or a decimal
 * string.
 *
 * The conversion is string manipulation only (no multiplication or division of floats), so it is
 * exact for every value the column can hold: numeric(12,2) tops out at 9 999 999 999.99, i.e.
 * 999 999 999 999 minor units, far inside Number.MAX_SAFE_INTEGER. A value that is not a safe
 * integer, or one the column cannot hold, is refused with a TypeError/RangeError rather than
 * silently rounded.
 *
 * The column holds minor units / 100 whatever the currency (a column cannot change scale per row):
 * the integer in code is always the currency's own minor unit, as the Money message says, so
 * 1234 yen is stored '12.34' and 1.234 BHD is stored '12.34' too. Read the number with its
 * currency's exponent (`minorUnitExponent` in lib/money.ts), never as a decimal amount.
 *
 * Coupons reuse the column type for `discount_value` of percentage coupons: there 1500 minor units
 * mean 15.00 %, i.e. basis points (documented on that entity).
 */
export class MoneyType extends Type<number | null | undefined, string | null | undefined> {
  static readonly PRECISION = 12;
  static readonly SCALE = 2;
  /** The largest amount a numeric(12,2) column holds, in minor units. */
  static readonly MAX_MINOR_UNITS = 10 ** MoneyType.PRECISION - 1;

  override convertToDatabaseValue(value: number | null | undefined): string | null | undefined {
    if (value === null || value === undefined) return value;
    return minorUnitsToDecimal(value);
  }

  override convertToJSValue(value: string | number | null | undefined): number | null | undefined {
    if (value === null || value === undefined) return value;
    return decimalToMinorUnits(typeof value === 'number' ? numberToDecimalString(value) : value);
  }

  /** Snapshots hold the database form, which this type always writes in one canonical shape. */
  override compareAsType(): string {
    return 'string';
  }

  override get runtimeType(): string {
    return 'number';
  }

  override getColumnType(_prop: EntityProperty, _platform: Platform): string {
    return `numeric(${MoneyType.PRECISION},${MoneyType.SCALE})`;
  }
}

/** A money property: `price: money()`, `compareAtPrice: money().nullable()`. */
export const money = () => p.type(MoneyType);

/** 1234 → '12.34', -5 → '-0.05'. */
export function minorUnitsToDecimal(minorUnits: number): string {
  if (!Number.isSafeInteger(minorUnits)) {
    throw new TypeError(`money must be an integer number of minor units, got ${String(minorUnits)}`);
  }
  if (Math.abs(minorUnits) > MoneyType.MAX_MINOR_UNITS) {
    throw new RangeError(`money ${minorUnits} (minor units) does not fit numeric(12,2)`);
  }
  const sign = minorUnits < 0 ? '-' : '';
  const digits = String(Math.abs(minorUnits)).padStart(MoneyType.SCALE + 1, '0');
  const cut = digits.length - MoneyType.SCALE;
  return `${sign}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

const DECIMAL = /^(-|\+)?(\d+)(?:\.(\d*))?$/;

/** '12.34' → 1234, '12.3' → 1230, '-0.05' → -5, '7' → 700; more than two non-zero decimals is an error. */
export function decimalToMinorUnits(decimal: string): number {
  const match = DECIMAL.exec(decimal.trim());
  if (!match) throw new TypeError(`not a decimal amount: "${decimal}"`);
  const [, sign, whole = '0', fraction = ''] = match;
  const kept = fraction.slice(0, MoneyType.SCALE).padEnd(MoneyType.SCALE, '0');
  if (/[^0]/.test(fraction.slice(MoneyType.SCALE))) {
    throw new RangeError(`amount "${decimal}" has more than ${MoneyType.SCALE} decimals`);
  }
  const units = Number(`${whole}${kept}`);
  if (!Number.isSafeInteger(units)) throw new RangeError(`amount "${decimal}" is too large`);
  return sign === '-' && units !== 0 ? -units : units;
}

/**
 * Only for drivers configured to hand back numerics as JS numbers (pg and PGlite return strings):
 * the shortest round-trip representation of a double is what the database sent for values of this
 * size, so reading it as a string is exact.
 */
function numberToDecimalString(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`not a finite amount: ${value}`);
  const text = String(value);
  if (/e/i.test(text)) return value.toFixed(MoneyType.SCALE);
  return text;
}
