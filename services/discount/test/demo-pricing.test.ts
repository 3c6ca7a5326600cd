import { expect } from 'chai';
import { PriceCartRequest } from '../../../gen/ecommerce/discount/v1/discount.js';
import { newId } from '../../../lib/ids.js';
import { priceCartOf } from '../src/domain/price-cart.js';
import { seedDiscountDemo } from '../src/seed/index.js';
import { openDiscountScratch, type DiscountScratch } from './support.js';

/** The demo store's coupons and promotions work through the pricing RPC's domain. */
describe('discount demo data: a demo cart priced with a demo coupon', function () {
  this.timeout(60_000);
  let scratch: DiscountScratch;

  before(async () => {
    scratch = await openDiscountScratch('discount_demo_pricing');
    await seedDiscountDemo(scratch.db.orm);
    await scratch.running.refresh();
  });
  after(async () => {
    await scratch?.db.drop();
  });

  // A fixed day: the demo's dated coupons (SPRING25 from March 2027) are judged the same every year.
  const NOW = new Date('2027-02-01T12:00:00Z');
  const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
  const cart = (couponCode: string, quantities: number[]) =>
    PriceCartRequest.fromPartial({
      currencyCode: 'EUR',
      lines: quantities.map((quantity, i) => ({
        lineId: `line-${i}`,
        productId: newId(),
        variantId: newId(),
        unitPrice: eur(i === 0 ? 2500 : 4000),
        quantity,
      })),
      shipping: eur(495),
      customer: { identity: { $case: 'userId', value: newId() } },
      couponCode,
    });

  it('three items: "3 for 2" gives the cheapest, then WELCOME10 takes 10 % of what is left', async () => {
    const priced = await priceCartOf(
      scratch.db.orm.em.fork(),
      scratch.running,
      cart('welcome10', [2, 1]),
      NOW,
    );
    expect(priced.applied.map((a) => [a.source!.name, a.amount!.amountMinor, a.explanation])).to.deep.equal([
      ['Three for the price of two', 2500, 'Buy 2, get 1 free: 1 unit discounted'],
      ['Welcome 10 %', 650, 'Coupon WELCOME10: 10 % off, at most 50.00 EUR'],
    ]);
    expect(priced.coupon).to.deep.include({ code: 'WELCOME10', applied: true, discount: eur(650) });
    expect(priced.totals!.total).to.deep.equal(eur(5850 + 495));
  });

  it('ten items: the exclusive "3 for 2" beats the stackable volume and spend promotions together (docs/pricing.md)', async () => {
    const priced = await priceCartOf(scratch.db.orm.em.fork(), scratch.running, cart('SAVE20', [6, 4]), NOW);
    // 6 × 25 + 4 × 40 = 310 €. Stackable: 10 % (10 units) = 31 €, then 10 % of 279 € = 27.90 €: 58.90 €.
    // Exclusive alone: 3 units free of 10, the 3 cheapest (25 € each) = 75 €, which wins.
    expect(priced.applied.map((a) => [a.source!.name, a.amount!.amountMinor])).to.deep.equal([
      ['Three for the price of two', 7500],
      ['20 € off 100 €', 2000],
    ]);
    expect(priced.setAside.map((s) => [s.source!.name, s.amount!.amountMinor])).to.have.deep.members([
      ['Stock up', 3100],
      ['Spend 150 €, save 10 %', 2790],
    ]);
    // The worked example of docs/pricing.md.
    expect(
      priced.orderDiscounts.at(-1)!.allocations.map((a) => [a.lineId, a.amount!.amountMinor]),
    ).to.deep.equal([
      ['line-0', 638],
      ['line-1', 1362],
    ]);
    expect(priced.totals!.total).to.deep.equal(eur(21995));
  });

  it('a coupon that has not started yet is refused inside the answer', async () => {
    const priced = await priceCartOf(
      scratch.db.orm.em.fork(),
      scratch.running,
      cart('SPRING25', [2, 1]),
      NOW,
    );
    expect(priced.coupon).to.deep.include({ code: 'SPRING25', applied: false, discount: eur(0) });
    expect(priced.coupon!.refusal!.reason).to.equal('COUPON_NOT_STARTED');
    expect(priced.coupon!.refusal!.message).to.equal(
      'Coupon SPRING25 can be used from 2027-03-01 00:00 UTC.',
    );
  });
});
