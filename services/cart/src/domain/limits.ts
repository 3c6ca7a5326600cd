import { failedPrecondition } from '../../../../lib/errors.js';
import { CartReason } from '../../../../lib/error-reasons.js';

/** Units one line may hold. */
export const MAX_LINE_QUANTITY = 99;
/** Lines one cart may hold. */
export const MAX_CART_LINES = 100;
/** Units one cart may hold over all its lines. */
export const MAX_CART_UNITS = 999;

/** Refuses a cart whose lines would break a cart-wide limit (the request itself was well-formed). */
export function checkCartLimits(lines: readonly { quantity: number }[]): void {
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
}
