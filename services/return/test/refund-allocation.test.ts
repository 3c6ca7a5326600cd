import { expect } from 'chai';
import fc from 'fast-check';
import {
  lineAmountOf,
  refundableFor,
  returnRefundOf,
  type LineRefundInput,
} from '../src/domain/refund-allocation.js';

interface LineSpec {
  unitPriceMinor: number;
  quantity: number;
  discountMinor: number;
  taxMinor: number;
}

/** An order's lines (discount at most the line, tax 0-25 % of what is left) and its shipping. */
const orders = fc
  .record({
    lines: fc.array(
      fc
        .record({
          unitPriceMinor: fc.integer({ min: 0, max: 500_000 }),
          quantity: fc.integer({ min: 1, max: 12 }),
          discountShare: fc.double({ min: 0, max: 1, noNaN: true }),
          taxShare: fc.double({ min: 0, max: 0.25, noNaN: true }),
        })
        .map(({ unitPriceMinor, quantity, discountShare, taxShare }): LineSpec => {
          const gross = unitPriceMinor * quantity;
          const discountMinor = Math.floor(gross * discountShare);
          return {
            unitPriceMinor,
            quantity,
            discountMinor,
            taxMinor: Math.floor((gross - discountMinor) * taxShare),
          };
        }),
      { minLength: 1, maxLength: 5 },
    ),
    shippingPaid: fc.integer({ min: 0, max: 5_000 }),
    pricesIncludeTax: fc.boolean(),
  })
  .chain((order) => {
    // Every unit of every line, in an order fast-check chooses, cut into returns of 1+ units.
    const units = order.lines.flatMap((line, index) => Array.from({ length: line.quantity }, () => index));
    return fc.record({
      order: fc.constant(order),
      sequence: fc.shuffledSubarray(units, { minLength: units.length, maxLength: units.length }),
      cuts: fc.array(fc.boolean(), { minLength: units.length, maxLength: units.length }),
    });
  });

/** Plays the returns one after the other, as the service does: each against what was refunded before. */
function playReturns(
  order: { lines: LineSpec[]; shippingPaid: number; pricesIncludeTax: boolean },
  returns: number[][],
  refundShipping: 'never' | 'when_fully_returned',
) {
  const amounts = order.lines.map((line) =>
    lineAmountOf({ ...line, pricesIncludeTax: order.pricesIncludeTax }),
  );
  const captured = amounts.reduce((a, b) => a + b, 0) + order.shippingPaid;
  const orderUnits = order.lines.reduce((sum, line) => sum + line.quantity, 0);
  const refundedUnits = order.lines.map(() => 0);
  let refundedAmount = 0;
  const refunds: number[] = [];
  for (const units of returns) {
    const lines = new Map<string, LineRefundInput>();
    for (const index of units) {
      const key = String(index);
      const line = lines.get(key);
      lines.set(key, {
        lineAmount: amounts[index]!,
        quantity: order.lines[index]!.quantity,
        refundedBefore: refundedUnits[index]!,
        returning: (line?.returning ?? 0) + 1,
      });
    }
    const refund = returnRefundOf({
      lines,
      orderUnits,
      orderUnitsRefundedBefore: refundedUnits.reduce((a, b) => a + b, 0),
      shippingPaid: order.shippingPaid,
      refundShipping,
      stillRefundable: captured - refundedAmount,
    });
    for (const index of units) refundedUnits[index]! += 1;
    refundedAmount += refund.total;
    refunds.push(refund.total);
  }
  return { captured, refunds, refundedAmount };
}

function returnsOf(sequence: number[], cuts: boolean[]): number[][] {
  const returns: number[][] = [[]];
  sequence.forEach((unit, i) => {
    returns[returns.length - 1]!.push(unit);
    if (cuts[i] && i < sequence.length - 1) returns.push([]);
  });
  return returns;
}

describe('the refund rule (pure)', () => {
  it('apportions a line per unit cumulatively: the last unit takes the remainder', () => {
    // 10.00 for 3 units: 3.33, 3.33, 3.34.
    expect([0, 1, 2, 3].map((k) => refundableFor(1000, 3, k))).to.deep.equal([0, 333, 666, 1000]);
    expect(refundableFor(7, 7, 7)).to.equal(7);
    expect(refundableFor(999_999_999_999, 1, 1)).to.equal(999_999_999_999);
    expect(() => refundableFor(1000, 3, 4)).to.throw(RangeError);
  });

  it('a line is what the customer paid: after its discount, with its tax unless prices include it', () => {
    const line = { unitPriceMinor: 1999, quantity: 3, discountMinor: 600, taxMinor: 1025 };
    expect(lineAmountOf({ ...line, pricesIncludeTax: false })).to.equal(1999 * 3 - 600 + 1025);
    expect(lineAmountOf({ ...line, pricesIncludeTax: true })).to.equal(1999 * 3 - 600);
  });

  it('any order of partial returns refunds exactly what was captured (shipping with the last return)', () => {
    fc.assert(
      fc.property(orders, ({ order, sequence, cuts }) => {
        const { captured, refunds, refundedAmount } = playReturns(
          order,
          returnsOf(sequence, cuts),
          'when_fully_returned',
        );
        expect(refunds.every((amount) => Number.isSafeInteger(amount) && amount >= 0)).to.equal(true);
        expect(refundedAmount).to.equal(captured);
      }),
      { numRuns: 300 },
    );
  });

  it('with RETURN_REFUND_SHIPPING=never, everything returned refunds all but the shipping', () => {
    fc.assert(
      fc.property(orders, ({ order, sequence, cuts }) => {
        const { captured, refundedAmount } = playReturns(order, returnsOf(sequence, cuts), 'never');
        expect(refundedAmount).to.equal(captured - order.shippingPaid);
      }),
      { numRuns: 200 },
    );
  });

  it('returning the same units in other chunks refunds each line the same in total', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
        (lineAmount, quantity, chunks) => {
          let before = 0;
          let total = 0;
          for (const chunk of chunks) {
            const returning = Math.min(chunk, quantity - before);
            if (returning === 0) break;
            total +=
              refundableFor(lineAmount, quantity, before + returning) -
              refundableFor(lineAmount, quantity, before);
            before += returning;
          }
          expect(total).to.equal(refundableFor(lineAmount, quantity, before));
        },
      ),
    );
  });

  it('refuses a refund above what the payment can still refund', () => {
    const lines = new Map([['a', { lineAmount: 1000, quantity: 1, refundedBefore: 0, returning: 1 }]]);
    expect(() =>
      returnRefundOf({
        lines,
        orderUnits: 1,
        orderUnitsRefundedBefore: 0,
        shippingPaid: 0,
        refundShipping: 'never',
        stillRefundable: 999,
      }),
    ).to.throw(RangeError, 'refund 1000 is more than the 999 still refundable');
  });
});
