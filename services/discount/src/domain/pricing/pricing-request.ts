import type { Money } from '../../../../../gen/ecommerce/common/v1/money.js';
import type { Customer, PriceLine } from '../../../../../gen/ecommerce/discount/v1/discount.js';
import { MAX_AMOUNT_MINOR } from '../../../../../lib/money.js';
import type { Violations } from '../../../../../lib/validation/index.js';
import { checkAmount, checkCurrency, checkIds } from '../checks.js';
import { checkCustomer, type CustomerKey } from '../customer.js';
import type { CartLine } from './types.js';

export const MAX_LINES = 200;
const MAX_QUANTITY = 100_000;
const MAX_CODE_LENGTH = 64;

/** A pricing request's fields, checked: the cart and who buys it. */
export interface CheckedCart {
  currency: string;
  lines: CartLine[];
  shipping: number;
  customer: CustomerKey | null;
}

/** The lines of a request (PriceCart's, CheckCoupon's), each field at fault added to `v`. */
export function checkLines(
  v: Violations,
  lines: readonly PriceLine[],
  currency: string | null,
  options: { required: boolean },
): CartLine[] {
  if ((options.required && lines.length === 0) || lines.length > MAX_LINES) {
    v.add('lines', `must hold ${options.required ? 1 : 0}-${MAX_LINES} lines`);
  }
  const seen = new Map<string, number>();
  let subtotal = 0;
  const checkedLines = lines.map((line, i) => {
    const at = `lines[${i}]`;
    if (line.lineId.length === 0 || line.lineId.length > 100 || line.lineId.trim() !== line.lineId) {
      v.add(`${at}.line_id`, 'must be 1-100 characters, without surrounding spaces');
    } else if (seen.has(line.lineId)) {
      v.add(`${at}.line_id`, `repeats lines[${seen.get(line.lineId)}].line_id`);
    } else {
      seen.set(line.lineId, i);
    }
    let unitPrice = 0;
    if (!line.unitPrice) v.add(`${at}.unit_price`, 'is required');
    else unitPrice = checkAmount(v, `${at}.unit_price`, line.unitPrice, currency);
    const quantity = v.wholeNumber(`${at}.quantity`, line.quantity, 1, MAX_QUANTITY);
    subtotal += unitPrice * (Number.isInteger(quantity) ? quantity : 0);
    return {
      lineId: line.lineId,
      productId: v.uuid(`${at}.product_id`, line.productId),
      variantId: v.uuid(`${at}.variant_id`, line.variantId),
      categoryIds: checkIds(v, `${at}.category_ids`, line.categoryIds),
      unitPrice,
      quantity,
    };
  });
  if (subtotal > MAX_AMOUNT_MINOR) v.add('lines', `their subtotal must be at most ${MAX_AMOUNT_MINOR}`);
  return checkedLines;
}

export function checkCart(
  v: Violations,
  request: { currencyCode: string; lines: PriceLine[]; shipping?: Money; customer?: Customer },
  options: { linesRequired: boolean },
): CheckedCart {
  const currency = checkCurrency(v, 'currency_code', request.currencyCode);
  return {
    currency: currency ?? '',
    lines: checkLines(v, request.lines, currency, { required: options.linesRequired }),
    shipping: request.shipping ? checkAmount(v, 'shipping', request.shipping, currency) : 0,
    customer: checkCustomer(v, request.customer, false),
  };
}

/** A coupon code as sent, trimmed and upper-cased ('' when none); at most 64 characters. */
export function checkCouponCode(v: Violations, code: string, required: boolean): string {
  const trimmed = code.trim();
  if (trimmed === '' && required) v.add('coupon_code', 'is required');
  if (trimmed.length > MAX_CODE_LENGTH) v.add('coupon_code', `must be at most ${MAX_CODE_LENGTH} characters`);
  return trimmed.toUpperCase();
}
