/**
 * The refund rule as arithmetic, without a database: what k units of a line are worth, and what
 * one return adds to what the order's earlier refunds gave back (docs/api/return.md).
 */

/**
 * What the customer paid for one order line: its units after the line's allocated discount, with
 * its tax (already inside the price when prices include tax).
 */
export function lineAmountOf(line: {
  unitPriceMinor: number;
  quantity: number;
  discountMinor: number;
  taxMinor: number;
  pricesIncludeTax: boolean;
}): number {
  const net = line.unitPriceMinor * line.quantity - line.discountMinor;
  return line.pricesIncludeTax ? net : net + line.taxMinor;
}

/**
 * What the first `units` of a line of `quantity` units worth `lineAmount` refund together:
 * floor(lineAmount × units / quantity), so every unit but the last takes its rounded-down share and
 * the last takes the remainder: refundable(quantity) is exactly lineAmount. Computed in BigInt, so
 * lineAmount × units never loses precision.
 */
export function refundableFor(lineAmount: number, quantity: number, units: number): number {
  if (!Number.isSafeInteger(lineAmount) || lineAmount < 0)
    throw new RangeError(`bad line amount ${lineAmount}`);
  if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError(`bad line quantity ${quantity}`);
  if (!Number.isInteger(units) || units < 0 || units > quantity) {
    throw new RangeError(`units ${units} outside 0..${quantity}`);
  }
  return Number((BigInt(lineAmount) * BigInt(units)) / BigInt(quantity));
}

export interface LineRefundInput {
  lineAmount: number;
  /** Units the order line has. */
  quantity: number;
  /** Units of it refunded by the order's earlier returns. */
  refundedBefore: number;
  /** Units of it this return refunds. */
  returning: number;
}

/** What `returning` more units of a line refund: refundable(after) − refundable(before). */
export function lineRefundOf(line: LineRefundInput): number {
  return (
    refundableFor(line.lineAmount, line.quantity, line.refundedBefore + line.returning) -
    refundableFor(line.lineAmount, line.quantity, line.refundedBefore)
  );
}

export interface ReturnRefundInput {
  /** Every line this return refunds, keyed by the caller (order item id). */
  lines: Map<string, LineRefundInput>;
  /** Units the whole order has, over all its lines. */
  orderUnits: number;
  /** Units of the order refunded by its earlier returns. */
  orderUnitsRefundedBefore: number;
  /** What the shipping cost the customer (with its tax, after its discount). */
  shippingPaid: number;
  refundShipping: 'never' | 'when_fully_returned';
  /** What the order's payment can still refund (captured minus every earlier return's refund). */
  stillRefundable: number;
}

export interface ReturnRefund {
  /** Per line key: what its units refund. */
  lines: Map<string, number>;
  /** The shipping refunded (0 unless this return completes the order and the rule says so). */
  shipping: number;
  total: number;
}

/**
 * One return's refund: each line's share by the cumulative rule, plus the shipping when this
 * return brings the order's refunded units to all of them and the rule refunds shipping. Never
 * above what the payment can still refund (it cannot be, when every refund of the order went
 * through this rule; the cap holds against anything else).
 */
export function returnRefundOf(input: ReturnRefundInput): ReturnRefund {
  const lines = new Map<string, number>();
  let returning = 0;
  let total = 0;
  for (const [key, line] of input.lines) {
    const amount = lineRefundOf(line);
    lines.set(key, amount);
    returning += line.returning;
    total += amount;
  }
  const completes = input.orderUnitsRefundedBefore + returning === input.orderUnits;
  const shipping = input.refundShipping === 'when_fully_returned' && completes ? input.shippingPaid : 0;
  total += shipping;
  if (total > input.stillRefundable) {
    throw new RangeError(`refund ${total} is more than the ${input.stillRefundable} still refundable`);
  }
  return { lines, shipping, total };
}
