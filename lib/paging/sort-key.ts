/**
 * The type of a keyset's sort column, and how its value reads back from a page token. A token is
 * the caller's to hold (base64 JSON, not secret), so its sort key is parsed here, whole, as a real
 * value of the column's type: an edited key is refused as INVALID_ARGUMENT before any SQL, never
 * left to fail the cast in the database.
 */
export type SortKeyType = 'timestamp' | 'decimal' | 'none';

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const DECIMAL = /^-?(?:0|[1-9]\d{0,19})(?:\.\d{1,20})?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A timestamp as PostgreSQL prints a timestamptz (`2024-03-01 12:34:56.123456+00`, or ISO with
 * `T` and `Z`): a real calendar date (month 1-12, a day the month has, leap years included), a
 * real time of day, an offset of at most 15:59. The text is kept as it is (microseconds included:
 * a JavaScript Date would round them away and make pages skip or repeat rows).
 */
export function isTimestampKey(text: string): boolean {
  const match = TIMESTAMP.exec(text);
  if (!match) return false;
  const [, year, month, day, hour, minute, second, , , , offsetHours, offsetMinutes] = match.map(Number);
  return (
    year! >= 1 &&
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysIn(year!, month!) &&
    hour! <= 23 &&
    minute! <= 59 &&
    second! <= 59 &&
    (match[10] === undefined || offsetHours! <= 15) &&
    (match[11] === undefined || offsetMinutes! <= 59)
  );
}

/** A decimal number as PostgreSQL prints a numeric: at most 20 digits each side of the point. */
export function isDecimalKey(text: string): boolean {
  return DECIMAL.test(text);
}

export function isSortKeyOf(type: SortKeyType, text: string): boolean {
  if (type === 'timestamp') return isTimestampKey(text);
  if (type === 'decimal') return isDecimalKey(text);
  return text === '';
}
