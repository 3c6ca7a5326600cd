import { failedPrecondition } from '../../../../lib/errors.js';
import { CartReason } from '../../../../lib/error-reasons.js';
import { MAX_AMOUNT_MINOR } from '../../../../lib/money.js';

/** Units one line may hold. */
export const MAX_LINE_QUANTITY = 99;
/** Lines one cart may hold. */
export const MAX_CART_LINES = 100;
/** Units one cart may hold over all its lines. */
export const MAX_CART_UNITS = 999;
/** The largest subtotal (minor units): the largest amount the platform stores, the catalog's price limit too. */
export const MAX_CART_SUBTOTAL = MAX_AMOUNT_MINOR;

/** Sum of the line totals in minor units (exact: 999 units of the largest price stay a safe integer). */
export function subtotalOf(lines: readonly { quantity: number; unitPrice: number }[]): number {
  return lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
}

/** Refuses a cart whose lines would break a cart-wide limit (the request itself was well-formed). */
export function checkCartLimits(lines: readonly { quantity: number; unitPrice: number }[]): void {
  if (lines.length > MAX_CART_LINES) {
    throw failedPrecondition(
      `a cart holds at most ${MAX_CART_LINES} lines (this one would hold ${lines.length})`,
      CartReason.CART_LIMIT_EXCEEDED,
      { limit: String(MAX_CART_LINES) },
    );
  }
  const units = lines.reduce((sum, line) => sum + line.quantity, 0);
  if (units > MAX_CART_UNITS) {
    throw failedPrecondition(
      `a cart holds at most ${MAX_CART_UNITS} units (this one would hold ${units})`,
      CartReason.CART_LIMIT_EXCEEDED,
      { limit: String(MAX_CART_UNITS) },
    );
  }
  const subtotal = subtotalOf(lines);
  if (subtotal > MAX_CART_SUBTOTAL) {
    throw failedPrecondition(
      `a cart's subtotal is at most ${MAX_CART_SUBTOTAL} minor units (this one would be ${subtotal})`,
      CartReason.CART_LIMIT_EXCEEDED,
      { limit: String(MAX_CART_SUBTOTAL) },
    );
  }
}
