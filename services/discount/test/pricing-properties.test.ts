import { expect } from 'chai';
import fc from 'fast-check';
import { priceCart } from '../src/domain/pricing/price-cart.js';
import type {
  Benefit,
  CartLine,
  PricingCoupon,
  PricingInput,
  PricingPromotion,
  PricingResult,
  PromotionRule,
  Target,
} from '../src/domain/pricing/types.js';

/**
 * The pricing rule's promises over random carts and random sets of promotions: the order of lines
 * and promotions never matters, allocations sum exactly, nothing is negative, and the discount
 * never exceeds what there is to discount.
 */

const PRODUCTS = ['p1', 'p2', 'p3', 'p4'];
const CATEGORIES = ['c1', 'c2', 'c3'];

const someOf = <T>(values: T[]) => fc.subarray(values, { maxLength: 2 });

const targetArb: fc.Arbitrary<Target> = fc.record({
  productIds: someOf(PRODUCTS),
  categoryIds: someOf(CATEGORIES),
  excludedProductIds: fc.subarray(PRODUCTS, { maxLength: 1 }),
  excludedCategoryIds: fc.subarray(CATEGORIES, { maxLength: 1 }),
});

const bp = fc.integer({ min: 1, max: 10000 });
const amount = (max: number) => fc.integer({ min: 0, max });

const benefitArb = (max: number): fc.Arbitrary<Benefit> =>
  fc.oneof(
    bp.map((value) => ({ type: 'percent' as const, bp: value })),
    amount(max).map((value) => ({ type: 'amount' as const, amount: value + 1 })),
  );

const ruleArb = (max: number): fc.Arbitrary<PromotionRule> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('product_discount' as const),
      target: targetArb,
      benefit: benefitArb(max),
    }),
    fc.record({
      kind: fc.constant('buy_x_get_y' as const),
      target: targetArb,
      buyQuantity: fc.integer({ min: 1, max: 4 }),
      getQuantity: fc.integer({ min: 1, max: 3 }),
      percentOffBp: bp,
      maxApplications: fc.integer({ min: 0, max: 3 }),
    }),
    fc.record({
      kind: fc.constant('volume_tiers' as const),
      target: targetArb,
      tiers: fc
        .uniqueArray(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 3 })
        .chain((mins) =>
          fc.tuple(
            ...mins
              .sort((a, b) => a - b)
              .map((minQuantity) => bp.map((b) => ({ minQuantity, percentOffBp: b }))),
          ),
        ),
    }),
    fc.record({
      kind: fc.constant('bundle' as const),
      components: fc.array(fc.record({ target: targetArb, quantity: fc.integer({ min: 1, max: 3 }) }), {
        minLength: 2,
        maxLength: 3,
      }),
      percentOffBp: bp,
      maxApplications: fc.integer({ min: 0, max: 3 }),
    }),
    fc.record({
      kind: fc.constant('spend_amount' as const),
      target: targetArb,
      minSubtotal: amount(max),
      benefit: benefitArb(max),
    }),
    fc.record({ kind: fc.constant('free_shipping' as const), target: targetArb, minSubtotal: amount(max) }),
  );

const promotionsArb = (max: number): fc.Arbitrary<PricingPromotion[]> =>
  fc
    .array(
      fc.record({
        name: fc.constant('promotion'),
        priority: fc.integer({ min: 0, max: 3 }),
        stackable: fc.boolean(),
        currency: fc.constantFrom(null, 'EUR', 'JPY'),
        rule: ruleArb(max),
      }),
      { maxLength: 7 },
    )
    .map((list) => list.map((promotion, i) => ({ ...promotion, id: `promo-${String(i).padStart(2, '0')}` })));

const linesArb = (maxPrice: number, maxQuantity: number): fc.Arbitrary<CartLine[]> =>
  fc
    .array(
      fc.record({
        productId: fc.constantFrom(...PRODUCTS),
        categoryIds: someOf(CATEGORIES),
        unitPrice: amount(maxPrice),
        quantity: fc.integer({ min: 1, max: maxQuantity }),
      }),
      { minLength: 1, maxLength: 8 },
    )
    .map((lines) => lines.map((l, i) => ({ ...l, lineId: `line-${i}`, variantId: `v-${i}` })));

const couponArb = (max: number): fc.Arbitrary<PricingCoupon | undefined> =>
  fc.option(
    fc.record({
      id: fc.constant('coupon'),
      code: fc.constant('CODE'),
      name: fc.constant('Coupon'),
      type: fc.constantFrom('percentage' as const, 'fixed_amount' as const, 'free_shipping' as const),
      percentOffBp: bp,
      amountOff: amount(max),
      minimumAmount: fc.option(amount(max), { nil: null }),
      maximumDiscount: fc.option(amount(max), { nil: null }),
      target: targetArb,
    }),
    { nil: undefined },
  );

const inputArb = (maxPrice: number, maxQuantity: number): fc.Arbitrary<PricingInput> =>
  fc.record({
    currency: fc.constantFrom('EUR', 'JPY', 'KWD'),
    lines: linesArb(maxPrice, maxQuantity),
    shipping: amount(maxPrice),
    promotions: promotionsArb(maxPrice),
    coupon: couponArb(maxPrice),
  });

/** The same input with its lines and promotions in another order. */
const shuffledArb = (input: PricingInput): fc.Arbitrary<PricingInput> =>
  fc
    .tuple(
      fc.shuffledSubarray([...input.lines], { minLength: input.lines.length }),
      fc.shuffledSubarray([...input.promotions], { minLength: input.promotions.length }),
    )
    .map(([lines, promotions]) => ({ ...input, lines, promotions }));

/** A result with its lines in line id order (the answer follows the request's order). */
function byLineId(result: PricingResult): PricingResult {
  return { ...result, lines: [...result.lines].sort((a, b) => (a.lineId < b.lineId ? -1 : 1)) };
}

function checkInvariants(input: PricingInput, result: PricingResult): void {
  const { totals } = result;
  for (const priced of result.lines) {
    expect(priced.total, priced.lineId).to.be.at.least(0);
    expect(priced.discount + priced.total).to.equal(priced.subtotal);
    expect(priced.adjustments.reduce((sum, a) => sum + a.amount, 0)).to.equal(priced.discount);
    for (const adjustment of priced.adjustments) expect(adjustment.amount).to.be.greaterThan(0);
  }
  for (const discount of result.orderDiscounts) {
    expect(discount.allocations.reduce((sum, a) => sum + a.amount, 0)).to.equal(discount.amount);
  }
  for (const value of Object.values(totals)) {
    expect(Number.isSafeInteger(value) && value >= 0, JSON.stringify(totals)).to.equal(true);
  }
  expect(totals.discount).to.be.at.most(totals.subtotal + totals.shipping);
  expect(totals.subtotal).to.equal(input.lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0));
  expect(totals.subtotal - totals.lineDiscount - totals.orderDiscount).to.equal(totals.discountedSubtotal);
  expect(totals.discountedSubtotal).to.equal(result.lines.reduce((sum, l) => sum + l.total, 0));
  expect(totals.shippingTotal).to.equal(totals.shipping - totals.shippingDiscount);
  expect(totals.total).to.equal(totals.discountedSubtotal + totals.shippingTotal);
  expect(totals.discount).to.equal(totals.lineDiscount + totals.orderDiscount + totals.shippingDiscount);
  const applied = result.applied.reduce((sum, a) => sum + a.amount, 0);
  expect(applied).to.equal(totals.discount);
  if (result.coupon?.refusal) expect(result.coupon.discount).to.equal(0);
}

describe('pricing rule: properties over random carts and promotions', function () {
  this.timeout(120_000);

  it('shuffling lines and promotions never changes a result', () => {
    fc.assert(
      fc.property(
        inputArb(20_000, 12).chain((input) => fc.tuple(fc.constant(input), shuffledArb(input))),
        ([input, shuffled]) => {
          expect(byLineId(priceCart(shuffled))).to.deep.equal(byLineId(priceCart(input)));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('allocations sum exactly, nothing is negative, the discount never exceeds subtotal + shipping', () => {
    fc.assert(
      fc.property(inputArb(20_000, 12), (input) => checkInvariants(input, priceCart(input))),
      { numRuns: 600 },
    );
  });

  it('the same promises hold with amounts whose products pass 2^53', () => {
    fc.assert(
      fc.property(inputArb(9_999_999_999, 99), (input) => {
        const subtotal = input.lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
        fc.pre(subtotal <= 999_999_999_999);
        checkInvariants(input, priceCart(input));
      }),
      { numRuns: 300 },
    );
  });
});
