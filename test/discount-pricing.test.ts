import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  CheckCouponRequest,
  CouponType,
  CreateCouponRequest,
  CreatePromotionRequest,
  DiscountLevel,
  PriceCartRequest,
  PromotionStatus,
  UpdatePromotionRequest,
  type PriceLine,
} from '../gen/ecommerce/discount/v1/discount.js';
import { newId } from '../lib/ids.js';
import { startDiscountWorld, uniqueCode, type DiscountWorld } from './discount-support.js';
import { failureOf } from './support/clients.js';

/** PriceCart and CheckCoupon over gRPC, with promotions and coupons made through the admin RPCs. */
describe('discount API: pricing a cart', function () {
  this.timeout(120_000);
  let world: DiscountWorld;

  before(async () => {
    world = await startDiscountWorld();
  });
  after(async () => {
    await world?.stop();
  });

  const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
  const user = (userId = newId()) => ({ identity: { $case: 'userId' as const, value: userId } });
  const target = (productIds: string[] = [], categoryIds: string[] = []) => ({
    productIds,
    categoryIds,
    excludedProductIds: [],
    excludedCategoryIds: [],
  });
  const priceLine = (
    lineId: string,
    productId: string,
    unitPrice: number,
    quantity = 1,
    categoryIds: string[] = [],
  ) =>
    ({
      lineId,
      productId,
      variantId: newId(),
      categoryIds,
      unitPrice: eur(unitPrice),
      quantity,
    }) as PriceLine;
  const price = (fields: Partial<PriceCartRequest>, caller = world.internal) =>
    world.discount.priceCart(PriceCartRequest.fromPartial({ currencyCode: 'EUR', ...fields }), caller);
  const coupon = async (fields: Partial<CreateCouponRequest>) =>
    (
      await world.discount.createCoupon(
        CreateCouponRequest.fromPartial({
          code: uniqueCode('P'),
          name: 'Coupon',
          type: CouponType.COUPON_TYPE_PERCENTAGE,
          percentOffBp: 1000,
          currencyCode: 'EUR',
          ...fields,
        }),
        world.admin,
      )
    ).coupon!;
  const promotion = async (fields: Partial<CreatePromotionRequest>) =>
    (
      await world.discount.createPromotion(
        CreatePromotionRequest.fromPartial({ name: 'Promotion', activate: true, ...fields }),
        world.admin,
      )
    ).promotion!;

  it('prices with a promotion the moment it is created, and stops when it is paused', async () => {
    const product = newId();
    const lines = [priceLine('a', product, 2000, 3), priceLine('b', newId(), 1000)];
    expect((await price({ lines })).totals!.discount).to.deep.equal(eur(0));
    const threeForTwo = await promotion({
      name: '3 for 2',
      rule: {
        $case: 'buyXGetY',
        value: {
          target: target([product]),
          buyQuantity: 2,
          getQuantity: 1,
          percentOffBp: 10000,
          maxApplications: 0,
        },
      },
    });
    const priced = await price({ lines, shipping: eur(495) });
    expect(priced.lines.map((l) => [l.lineId, l.total!.amountMinor])).to.deep.equal([
      ['a', 4000],
      ['b', 1000],
    ]);
    expect(priced.lines[0]!.adjustments).to.deep.equal([
      {
        source: { kind: 1, id: threeForTwo.id, name: '3 for 2', code: '' },
        level: DiscountLevel.DISCOUNT_LEVEL_LINE,
        amount: eur(2000),
      },
    ]);
    expect(priced.applied[0]!.explanation).to.equal('Buy 2, get 1 free: 1 unit discounted');
    expect(priced.totals).to.deep.include({ subtotal: eur(7000), lineDiscount: eur(2000), total: eur(5495) });

    await world.discount.setPromotionStatus(
      { promotionId: threeForTwo.id, status: PromotionStatus.PROMOTION_STATUS_PAUSED },
      world.admin,
    );
    expect((await price({ lines })).totals!.discount).to.deep.equal(eur(0));
    await world.discount.setPromotionStatus(
      { promotionId: threeForTwo.id, status: PromotionStatus.PROMOTION_STATUS_ACTIVE },
      world.admin,
    );
    await world.discount.updatePromotion(
      UpdatePromotionRequest.fromPartial({
        promotionId: threeForTwo.id,
        endsAt: new Date(Date.now() - 1000),
        startsAt: new Date(Date.now() - 60_000),
      }),
      world.admin,
    );
    expect((await price({ lines })).totals!.discount).to.deep.equal(eur(0));
    const { promotion: read } = await world.discount.getPromotion(
      { promotionId: threeForTwo.id },
      world.admin,
    );
    expect([read!.status, read!.setStatus]).to.deep.equal([
      PromotionStatus.PROMOTION_STATUS_EXPIRED,
      PromotionStatus.PROMOTION_STATUS_ACTIVE,
    ]);
  });

  it('the order of the lines in the request changes nothing', async () => {
    const category = newId();
    await promotion({
      stackable: true,
      currencyCode: 'EUR',
      rule: {
        $case: 'spendAmount',
        value: {
          target: target([], [category]),
          minSubtotal: eur(1000),
          benefit: { $case: 'amountOff', value: eur(1000) },
        },
      },
    });
    const lines = ['x', 'y', 'z'].map((id) => priceLine(id, newId(), 334, 1, [category]));
    const forward = await price({ lines });
    const backward = await price({ lines: [...lines].reverse() });
    expect(backward.lines.map((l) => l.lineId)).to.deep.equal(['z', 'y', 'x']);
    expect([...backward.lines].reverse()).to.deep.equal(forward.lines);
    expect(backward.orderDiscounts).to.deep.equal(forward.orderDiscounts);
    expect(forward.orderDiscounts[0]!.allocations.map((a) => a.amount!.amountMinor)).to.deep.equal([
      334, 333, 333,
    ]);
  });

  it('a coupon that cannot be used is refused inside the answer, with a reason and a message', async () => {
    const lines = [priceLine('a', newId(), 2000)];
    const unknown = await price({ lines, couponCode: 'no-such-code' });
    expect(unknown.coupon).to.deep.include({ code: 'NO-SUCH-CODE', applied: false, discount: eur(0) });
    expect(unknown.coupon!.refusal).to.deep.equal({
      reason: 'COUPON_NOT_FOUND',
      message: 'There is no coupon NO-SUCH-CODE.',
    });
    const usd = await coupon({ currencyCode: 'USD' });
    expect((await price({ lines, couponCode: usd.code })).coupon!.refusal!.reason).to.equal(
      'COUPON_CURRENCY_MISMATCH',
    );
    const big = await coupon({ minimumAmount: eur(5000) });
    const below = await price({ lines, couponCode: big.code });
    expect(below.coupon!.refusal).to.deep.equal({
      reason: 'COUPON_MINIMUM_NOT_MET',
      message: `Coupon ${big.code} needs 50.00 EUR of eligible items after other discounts; this cart has 20.00 EUR.`,
    });
    expect(below.totals!.total).to.deep.equal(eur(2000));

    const once = await coupon({ usageLimitPerCustomer: 1 });
    const buyer = newId();
    const first = await price({ lines, couponCode: once.code, customer: user(buyer) });
    expect(first.coupon).to.deep.include({ applied: true, discount: eur(200) });
    await world.discount.reserveDiscountUsage(
      {
        orderId: newId(),
        customer: user(buyer),
        currencyCode: 'EUR',
        couponCode: once.code,
        couponDiscount: eur(200),
        promotions: [],
      },
      world.internal,
    );
    const second = await price({ lines, couponCode: once.code, customer: user(buyer) });
    expect(second.coupon!.refusal!.reason).to.equal('COUPON_CUSTOMER_LIMIT_REACHED');
    // Without a customer the per-customer limit is left to the reservation.
    expect((await price({ lines, couponCode: once.code })).coupon!.applied).to.equal(true);
  });

  it('CheckCoupon answers the coupon, or FAILED_PRECONDITION / NOT_FOUND with the coupon reason', async () => {
    const product = newId();
    const sale = await coupon({ applicableProductIds: [product], maximumDiscount: eur(150) });
    const ok = await world.discount.checkCoupon(
      CheckCouponRequest.fromPartial({
        couponCode: sale.code.toLowerCase(),
        currencyCode: 'EUR',
        lines: [priceLine('a', product, 4000), priceLine('b', newId(), 9000)],
      }),
      world.internal,
    );
    expect(ok.coupon).to.deep.include({
      id: sale.id,
      code: sale.code,
      percentOffBp: 1000,
      maximumDiscount: eur(150),
    });
    expect(ok.discount).to.deep.equal(eur(150));

    const notApplicable = await failureOf(
      world.discount.checkCoupon(
        CheckCouponRequest.fromPartial({
          couponCode: sale.code,
          currencyCode: 'EUR',
          lines: [priceLine('b', newId(), 9000)],
        }),
        world.internal,
      ),
    );
    expect(notApplicable.code).to.equal(status.FAILED_PRECONDITION);
    expect(notApplicable.errorInfo).to.deep.equal({
      reason: 'COUPON_NOT_APPLICABLE',
      metadata: { code: sale.code },
    });

    const ended = await coupon({
      startsAt: new Date(Date.now() - 86_400_000),
      endsAt: new Date(Date.now() - 1000),
    });
    const expired = await failureOf(
      world.discount.checkCoupon(
        CheckCouponRequest.fromPartial({ couponCode: ended.code, currencyCode: 'EUR' }),
        world.internal,
      ),
    );
    expect(expired.errorInfo!.reason).to.equal('COUPON_EXPIRED');
    await world.discount.deactivateCoupon({ couponId: sale.id }, world.admin);
    const inactive = await failureOf(
      world.discount.checkCoupon(
        CheckCouponRequest.fromPartial({ couponCode: sale.code, currencyCode: 'EUR' }),
        world.internal,
      ),
    );
    expect(inactive.errorInfo!.reason).to.equal('COUPON_INACTIVE');
    const unknown = await failureOf(
      world.discount.checkCoupon(
        CheckCouponRequest.fromPartial({ couponCode: 'NOPE123', currencyCode: 'EUR' }),
        world.internal,
      ),
    );
    expect([unknown.code, unknown.errorInfo]).to.deep.equal([
      status.NOT_FOUND,
      { reason: 'COUPON_NOT_FOUND', metadata: { code: 'NOPE123' } },
    ]);
  });

  it('refuses malformed carts naming each field', async () => {
    const refused = await failureOf(
      price({
        lines: [
          priceLine('a', newId(), 100),
          { ...priceLine('a', 'nope', 100, 0), unitPrice: { currencyCode: 'USD', amountMinor: 1 } },
        ],
        shipping: { currencyCode: 'EUR', amountMinor: -1 },
      }),
    );
    expect(refused.code).to.equal(status.INVALID_ARGUMENT);
    expect(refused.violations.map((v) => v.field)).to.deep.equal([
      'lines[1].line_id',
      'lines[1].unit_price.currency_code',
      'lines[1].quantity',
      'lines[1].product_id',
      'shipping.amount_minor',
    ]);
  });

  it('PriceCart is for platform services and discount readers; CheckCoupon for platform services only', async () => {
    const lines = [priceLine('a', newId(), 100)];
    const reader = await world.staff(['discount:read']);
    expect((await price({ lines }, reader)).totals!.total).to.deep.equal(eur(100));
    const customer = await world.staff([]);
    expect((await failureOf(price({ lines }, customer))).code).to.equal(status.PERMISSION_DENIED);
    const check = CheckCouponRequest.fromPartial({ couponCode: 'ANY', currencyCode: 'EUR' });
    expect((await failureOf(world.discount.checkCoupon(check, reader))).code).to.equal(
      status.PERMISSION_DENIED,
    );
  });
});
