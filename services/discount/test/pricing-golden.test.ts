import { expect } from 'chai';
import { priceCart } from '../src/domain/pricing/price-cart.js';
import type { PricingInput, PricingResult } from '../src/domain/pricing/types.js';
import { coupon, line, percentOff, promotion, target } from './pricing-builders.js';

/** The pricing rule, case by case (docs/pricing.md): one golden answer per rule, stacking and edge. */

function price(input: Partial<PricingInput> & Pick<PricingInput, 'lines'>): PricingResult {
  return priceCart({ currency: 'EUR', shipping: 0, promotions: [], ...input });
}

/** Each line's total by line id. */
const totalsOf = (result: PricingResult) => Object.fromEntries(result.lines.map((l) => [l.lineId, l.total]));
const appliedOf = (result: PricingResult) => result.applied.map((a) => [a.source.id, a.amount]);

describe('pricing rule: the golden cases', () => {
  it('without promotions or coupon nothing is discounted', () => {
    const result = price({ lines: [line('a', 1250, 2), line('b', 999)], shipping: 495 });
    expect(result.totals).to.deep.equal({
      subtotal: 3499,
      lineDiscount: 0,
      orderDiscount: 0,
      discountedSubtotal: 3499,
      shipping: 495,
      shippingDiscount: 0,
      shippingTotal: 495,
      discount: 0,
      total: 3994,
    });
    expect(result.applied).to.deep.equal([]);
  });

  it('a percentage rounds half-up once per line, in minor units', () => {
    const result = price({
      lines: [line('a', 1005), line('b', 1004)],
      promotions: [promotion('p', percentOff(1000))],
    });
    // 100.5 → 101; 100.4 → 100.
    expect(totalsOf(result)).to.deep.equal({ a: 904, b: 904 });
    expect(result.lines[0]!.adjustments).to.deep.equal([
      { source: { kind: 'promotion', id: 'p', name: 'Promotion p' }, level: 'line', amount: 101 },
    ]);
    expect(result.applied[0]!.explanation).to.equal('10 % off');
  });

  it('a product or category match discounts only the matching lines', () => {
    const rule = percentOff(2000, target({ productIds: ['product-a'], categoryIds: ['shoes'] }));
    const result = price({
      lines: [line('a', 1000), line('b', 1000, 1, { categoryIds: ['hats', 'shoes'] }), line('c', 1000)],
      promotions: [promotion('p', rule)],
    });
    expect(totalsOf(result)).to.deep.equal({ a: 800, b: 800, c: 1000 });
  });

  it('an exclusion wins over a match', () => {
    const rule = percentOff(5000, target({ categoryIds: ['shoes'], excludedProductIds: ['product-b'] }));
    const result = price({
      lines: [line('a', 1000, 1, { categoryIds: ['shoes'] }), line('b', 1000, 1, { categoryIds: ['shoes'] })],
      promotions: [promotion('p', rule)],
    });
    expect(totalsOf(result)).to.deep.equal({ a: 500, b: 1000 });
  });

  it('an amount per unit larger than the price floors the line at 0', () => {
    const result = price({
      lines: [line('a', 300, 2)],
      promotions: [
        promotion('p', {
          kind: 'product_discount',
          target: target(),
          benefit: { type: 'amount', amount: 500 },
        }),
      ],
    });
    expect(result.lines[0]).to.include({ subtotal: 600, discount: 600, total: 0 });
    expect(result.totals.total).to.equal(0);
  });

  it('buy 2 get 1 free: the cheapest units are free, once per 3 units, up to max_applications', () => {
    const rule = (maxApplications: number) => ({
      kind: 'buy_x_get_y' as const,
      target: target(),
      buyQuantity: 2,
      getQuantity: 1,
      percentOffBp: 10000,
      maxApplications,
    });
    const lines = [line('a', 1000, 4), line('b', 500, 1), line('c', 700, 2)];
    // 7 units → 2 applications → the 2 cheapest units: b (500) and one of c (700).
    const twice = price({ lines, promotions: [promotion('p', rule(0))] });
    expect(totalsOf(twice)).to.deep.equal({ a: 4000, b: 0, c: 700 });
    expect(twice.applied[0]!.explanation).to.equal('Buy 2, get 1 free: 2 units discounted');
    const once = price({ lines, promotions: [promotion('p', rule(1))] });
    expect(totalsOf(once)).to.deep.equal({ a: 4000, b: 0, c: 1400 });
  });

  it('buy X get Y at a percentage, on the price left by an earlier promotion', () => {
    const lines = [line('a', 1000, 3)];
    const result = price({
      lines,
      promotions: [
        promotion('first', percentOff(1000), { priority: 10 }),
        promotion(
          'second',
          {
            kind: 'buy_x_get_y',
            target: target(),
            buyQuantity: 2,
            getQuantity: 1,
            percentOffBp: 5000,
            maxApplications: 0,
          },
          { priority: 1 },
        ),
      ],
    });
    // 3000 - 300 = 2700 left, 900 a unit; half of one unit: 450.
    expect(appliedOf(result)).to.deep.equal([
      ['first', 300],
      ['second', 450],
    ]);
    expect(result.totals.total).to.equal(2250);
  });

  it('volume tiers: the highest tier reached by the matching units applies to every matching line', () => {
    const rule = {
      kind: 'volume_tiers' as const,
      target: target({ categoryIds: ['tees'] }),
      tiers: [
        { minQuantity: 5, percentOffBp: 500 },
        { minQuantity: 10, percentOffBp: 1000 },
      ],
    };
    const tees = (n: number) => [
      line('a', 2000, n, { categoryIds: ['tees'] }),
      line('b', 1500, 2, { categoryIds: ['tees'] }),
      line('c', 5000, 1),
    ];
    expect(totalsOf(price({ lines: tees(2), promotions: [promotion('p', rule)] }))).to.deep.equal({
      a: 4000,
      b: 3000,
      c: 5000,
    });
    expect(totalsOf(price({ lines: tees(3), promotions: [promotion('p', rule)] }))).to.deep.equal({
      a: 5700,
      b: 2850,
      c: 5000,
    });
    const ten = price({ lines: tees(8), promotions: [promotion('p', rule)] });
    expect(totalsOf(ten)).to.deep.equal({ a: 14400, b: 2700, c: 5000 });
    expect(ten.applied[0]!.explanation).to.equal('10 units: 10 % off (from 10 units)');
  });

  it('a bundle discounts complete sets only, filled with the cheapest matching units', () => {
    const rule = {
      kind: 'bundle' as const,
      components: [
        { target: target({ categoryIds: ['tents'] }), quantity: 1 },
        { target: target({ categoryIds: ['backpacks'] }), quantity: 1 },
      ],
      percentOffBp: 1500,
      maxApplications: 0,
    };
    const result = price({
      lines: [
        line('tent-big', 30000, 1, { categoryIds: ['tents'] }),
        line('tent-small', 20000, 1, { categoryIds: ['tents'] }),
        line('pack', 8000, 1, { categoryIds: ['backpacks'] }),
      ],
      promotions: [promotion('bundle', rule)],
    });
    // One set: the cheaper tent and the backpack, 15 % off each.
    expect(totalsOf(result)).to.deep.equal({ 'tent-big': 30000, 'tent-small': 17000, pack: 6800 });
    expect(result.applied[0]!.explanation).to.equal('1 bundle: 15 % off 2 units');
  });

  it('stackable line promotions apply in priority order, each on what the previous left', () => {
    const result = price({
      lines: [line('a', 10000)],
      promotions: [
        promotion('low', percentOff(1000), { priority: 1 }),
        promotion(
          'high',
          { kind: 'product_discount', target: target(), benefit: { type: 'amount', amount: 2000 } },
          {
            priority: 5,
          },
        ),
      ],
    });
    // high first: 10000 - 2000 = 8000; then 10 % of 8000.
    expect(appliedOf(result)).to.deep.equal([
      ['high', 2000],
      ['low', 800],
    ]);
    expect(result.totals.total).to.equal(7200);
  });

  it('an exclusive promotion competes alone against all the stackable ones: the larger discount wins', () => {
    const lines = [line('a', 10000)];
    const stackable = [promotion('s1', percentOff(1000)), promotion('s2', percentOff(1000))];
    // Stackables together: 1000 + 900 = 1900.
    const big = price({
      lines,
      promotions: [...stackable, promotion('x', percentOff(2500), { stackable: false })],
    });
    expect(appliedOf(big)).to.deep.equal([['x', 2500]]);
    expect(big.setAside.map((s) => [s.source.id, s.amount])).to.deep.equal([
      ['s1', 1000],
      ['s2', 900],
    ]);
    expect(big.setAside[0]!.explanation).to.equal(
      '"Promotion x" does not combine with other promotions and gives more',
    );
    const small = price({
      lines,
      promotions: [...stackable, promotion('x', percentOff(1500), { stackable: false })],
    });
    expect(appliedOf(small)).to.deep.equal([
      ['s1', 1000],
      ['s2', 900],
    ]);
    expect(small.setAside.map((s) => [s.source.id, s.amount])).to.deep.equal([['x', 1500]]);
  });

  it('equal exclusive outcomes: the higher priority wins, then the lower id', () => {
    const lines = [line('a', 10000)];
    const exclusive = (id: string, priority: number) =>
      promotion(id, percentOff(1000), { stackable: false, priority });
    expect(appliedOf(price({ lines, promotions: [exclusive('b', 1), exclusive('a', 0)] }))).to.deep.equal([
      ['b', 1000],
    ]);
    expect(appliedOf(price({ lines, promotions: [exclusive('b', 0), exclusive('a', 0)] }))).to.deep.equal([
      ['a', 1000],
    ]);
  });

  it('an exclusive promotion that gives nothing to this cart does not compete', () => {
    const result = price({
      lines: [line('a', 10000)],
      promotions: [
        promotion('s', percentOff(1000)),
        promotion('x', percentOff(9000, target({ productIds: ['elsewhere'] })), { stackable: false }),
      ],
    });
    expect(appliedOf(result)).to.deep.equal([['s', 1000]]);
    expect(result.setAside).to.deep.equal([]);
  });

  it('a spend amount is judged on the line-discounted subtotal and allocated by largest remainder', () => {
    const spend = promotion('spend', {
      kind: 'spend_amount',
      target: target(),
      minSubtotal: 15000,
      benefit: { type: 'percent', bp: 1000 },
    });
    const lines = [line('a', 10000), line('b', 3333), line('c', 3334)];
    const result = price({ lines, promotions: [spend] });
    // 10 % of 16667 = 1666.7 → 1667, spread 10000:3333:3334.
    expect(result.orderDiscounts).to.deep.equal([
      {
        source: { kind: 'promotion', id: 'spend', name: 'Promotion spend' },
        amount: 1667,
        allocations: [
          { lineId: 'a', amount: 1000 },
          { lineId: 'b', amount: 333 },
          { lineId: 'c', amount: 334 },
        ],
      },
    ]);
    expect(result.applied[0]).to.include({ level: 'order', explanation: 'Spend 150.00 EUR: 10 % off' });
    // A line promotion that takes the cart below the threshold leaves the spend amount out.
    const below = price({ lines, promotions: [spend, promotion('line', percentOff(1500))] });
    expect(appliedOf(below)).to.deep.equal([['line', 2500]]);
  });

  it('a percentage coupon is taken of the already-discounted lines, never of the undiscounted total', () => {
    const result = price({
      lines: [line('a', 10000)],
      promotions: [promotion('p', percentOff(4000))],
      coupon: coupon({ percentOffBp: 7000 }),
    });
    // 10000 → 6000 → 70 % of 6000 = 4200: 1800 to pay, not a free order.
    expect(appliedOf(result)).to.deep.equal([
      ['p', 4000],
      ['coupon-1', 4200],
    ]);
    expect(result.totals.total).to.equal(1800);
    expect(result.coupon).to.deep.equal({ applied: true, discount: 4200 });
  });

  it('maximum_discount caps a percentage coupon', () => {
    const result = price({
      lines: [line('a', 100000)],
      coupon: coupon({ percentOffBp: 2500, maximumDiscount: 7500 }),
    });
    expect(result.coupon!.discount).to.equal(7500);
    expect(result.applied[0]!.explanation).to.equal('Coupon SAVE: 25 % off, at most 75.00 EUR');
  });

  it('a fixed coupon larger than the eligible lines floors them at 0, and is allocated exactly', () => {
    const result = price({
      lines: [line('a', 100), line('b', 100), line('c', 100)],
      shipping: 500,
      coupon: coupon({ type: 'fixed_amount', percentOffBp: 0, amountOff: 5000 }),
    });
    expect(result.coupon!.discount).to.equal(300);
    expect(result.totals).to.include({ discountedSubtotal: 0, shippingTotal: 500, total: 500 });
  });

  it('a coupon is split over its lines by largest remainder; ties go to the first line id', () => {
    const result = price({
      lines: [line('c', 100), line('a', 100), line('b', 100)],
      coupon: coupon({ type: 'fixed_amount', percentOffBp: 0, amountOff: 100 }),
    });
    expect(result.orderDiscounts[0]!.allocations).to.deep.equal([
      { lineId: 'a', amount: 34 },
      { lineId: 'b', amount: 33 },
      { lineId: 'c', amount: 33 },
    ]);
  });

  it('a coupon minimum is judged on the eligible lines after promotions, and refused inside the answer', () => {
    const result = price({
      lines: [line('a', 4000), line('b', 2000)],
      promotions: [promotion('p', percentOff(1000))],
      coupon: coupon({ minimumAmount: 5000, target: target({ excludedProductIds: ['product-b'] }) }),
    });
    // Eligible: line a only, 4000 - 400 = 3600 < 5000.
    expect(result.coupon).to.deep.equal({
      applied: false,
      discount: 0,
      refusal: {
        reason: 'COUPON_MINIMUM_NOT_MET',
        message:
          'Coupon SAVE needs 50.00 EUR of eligible items after other discounts; this cart has 36.00 EUR.',
        metadata: {
          code: 'SAVE',
          minimum_amount_minor: '5000',
          eligible_amount_minor: '3600',
          currency_code: 'EUR',
        },
      },
    });
    expect(result.totals.total).to.equal(5400);
  });

  it('a coupon with no eligible line is refused as not applicable', () => {
    const result = price({
      lines: [line('a', 4000, 1, { categoryIds: ['sale'] })],
      coupon: coupon({ target: target({ excludedCategoryIds: ['sale'] }) }),
    });
    expect(result.coupon!.refusal!.reason).to.equal('COUPON_NOT_APPLICABLE');
    expect(result.coupon!.refusal!.message).to.equal('Coupon SAVE does not apply to any item in this cart.');
  });

  it('free shipping: a promotion from a threshold, else the coupon; shipping never below 0', () => {
    const free = promotion('ship', { kind: 'free_shipping', target: target(), minSubtotal: 5000 });
    const over = price({ lines: [line('a', 6000)], shipping: 495, promotions: [free] });
    expect(over.totals).to.include({ shippingDiscount: 495, shippingTotal: 0, total: 6000 });
    expect(over.shippingDiscountSource).to.deep.equal({
      kind: 'promotion',
      id: 'ship',
      name: 'Promotion ship',
    });
    expect(over.applied[0]).to.include({ level: 'shipping', explanation: 'Free shipping from 50.00 EUR' });
    const under = price({
      lines: [line('a', 4000)],
      shipping: 495,
      promotions: [free],
      coupon: coupon({ type: 'free_shipping', percentOffBp: 0 }),
    });
    expect(under.totals).to.include({ shippingDiscount: 495, shippingTotal: 0, total: 4000 });
    expect(under.shippingDiscountSource!.kind).to.equal('coupon');
    // Both: the promotion takes it; the coupon still applies, giving nothing more.
    const both = price({
      lines: [line('a', 6000)],
      shipping: 495,
      promotions: [free],
      coupon: coupon({ type: 'free_shipping', percentOffBp: 0 }),
    });
    expect(both.totals.shippingDiscount).to.equal(495);
    expect(both.coupon).to.deep.equal({ applied: true, discount: 0 });
  });

  it('promotions of another currency are ignored; currencies keep their own decimals (JPY, KWD)', () => {
    const eurOnly = promotion('eur', percentOff(5000), { currency: 'EUR' });
    const jpy = priceCart({
      currency: 'JPY',
      lines: [line('a', 1005)],
      shipping: 0,
      promotions: [eurOnly, promotion('any', percentOff(1000))],
      coupon: coupon({ type: 'fixed_amount', percentOffBp: 0, amountOff: 100, minimumAmount: 904 }),
    });
    // 10 % of 1005 yen = 100.5 → 101 yen; 904 yen left meet the minimum; then 100 yen off.
    expect(appliedOf(jpy)).to.deep.equal([
      ['any', 101],
      ['coupon-1', 100],
    ]);
    expect(jpy.applied[1]!.explanation).to.equal('Coupon SAVE: 100 JPY off');
    const kwd = priceCart({
      currency: 'KWD',
      lines: [line('a', 12345)],
      shipping: 0,
      promotions: [],
      coupon: coupon({ minimumAmount: 20000 }),
    });
    expect(kwd.coupon!.refusal!.message).to.equal(
      'Coupon SAVE needs 20.000 KWD of eligible items after other discounts; this cart has 12.345 KWD.',
    );
  });

  it('two large discounts together never take a line, the order or the shipping below 0', () => {
    const result = price({
      lines: [line('a', 999), line('b', 1)],
      shipping: 100,
      promotions: [
        promotion('amount', {
          kind: 'product_discount',
          target: target(),
          benefit: { type: 'amount', amount: 10000 },
        }),
        promotion('spend', {
          kind: 'spend_amount',
          target: target(),
          minSubtotal: 0,
          benefit: { type: 'amount', amount: 10000 },
        }),
      ],
      coupon: coupon({ type: 'fixed_amount', percentOffBp: 0, amountOff: 10000 }),
    });
    expect(result.lines.every((l) => l.total === 0)).to.equal(true);
    expect(result.totals).to.include({ discountedSubtotal: 0, total: 100, discount: 1000 });
    expect(result.coupon).to.deep.equal({ applied: true, discount: 0 });
  });

  it('amounts beyond 2^53 when multiplied stay exact (the largest cart there is)', () => {
    const result = price({
      lines: [line('a', 999_999_999_999, 1), line('b', 1, 1)],
      promotions: [promotion('p', percentOff(3333))],
    });
    // 33.33 % of 999 999 999 999 = 333 299 999 999.6667 → 333 300 000 000.
    expect(result.lines[0]!.discount).to.equal(333_300_000_000);
    expect(result.lines[1]!.discount).to.equal(0);
  });
});
