import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  CouponType,
  CreateCouponRequest,
  ListCouponsRequest,
  UpdateCouponRequest,
} from '../gen/ecommerce/discount/v1/discount.js';
import { newId } from '../lib/ids.js';
import { startDiscountWorld, uniqueCode, type DiscountWorld } from './discount-support.js';
import { failureOf } from './support/clients.js';

/** Coupon administration over gRPC: every rule on write, unique codes, usage, listing, who may call. */
describe('discount API: coupons', function () {
  this.timeout(120_000);
  let world: DiscountWorld;

  before(async () => {
    world = await startDiscountWorld();
  });
  after(async () => {
    await world?.stop();
  });

  const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
  const create = (fields: Partial<CreateCouponRequest>, caller = world.admin) =>
    world.discount.createCoupon(
      CreateCouponRequest.fromPartial({
        code: uniqueCode('C'),
        name: 'Ten percent',
        type: CouponType.COUPON_TYPE_PERCENTAGE,
        percentOffBp: 1000,
        currencyCode: 'EUR',
        ...fields,
      }),
      caller,
    );

  it('creates a coupon with every rule, upper-cases its code, and reads it back by id or code', async () => {
    const product = newId();
    const category = newId();
    const code = uniqueCode('welcome').toLowerCase();
    const { coupon } = await create({
      code: ` ${code} `,
      name: ' Welcome ',
      description: 'Ten percent off, once',
      maximumDiscount: eur(5000),
      minimumAmount: eur(2000),
      usageLimit: 100,
      usageLimitPerCustomer: 1,
      startsAt: new Date('2026-01-01T00:00:00Z'),
      endsAt: new Date('2030-01-01T00:00:00Z'),
      applicableCategoryIds: [category.toUpperCase(), category],
      excludedProductIds: [product],
    });
    expect(coupon).to.deep.include({
      code: code.toUpperCase(),
      name: 'Welcome',
      type: CouponType.COUPON_TYPE_PERCENTAGE,
      percentOffBp: 1000,
      amountOff: undefined,
      minimumAmount: eur(2000),
      maximumDiscount: eur(5000),
      usageLimit: 100,
      usageLimitPerCustomer: 1,
      usageCount: 0,
      active: true,
      applicableCategoryIds: [category],
      excludedProductIds: [product],
    });
    const byCode = await world.discount.getCoupon({ lookup: { $case: 'code', value: code } }, world.admin);
    const byId = await world.discount.getCoupon({ lookup: { $case: 'id', value: coupon!.id } }, world.admin);
    expect(byCode).to.deep.equal(byId);
    expect(byId.coupon).to.deep.equal(coupon);
  });

  it('a code taken in another letter case is ALREADY_EXISTS naming it, with COUPON_CODE_TAKEN', async () => {
    const { coupon } = await create({});
    const taken = await failureOf(create({ code: coupon!.code.toLowerCase() }));
    expect(taken.code).to.equal(status.ALREADY_EXISTS);
    expect(taken.details).to.include(coupon!.code);
    expect(taken.errorInfo).to.deep.equal({ reason: 'COUPON_CODE_TAKEN', metadata: { code: coupon!.code } });
    // Two creations of one new code at once: one wins, the other hears why.
    const code = uniqueCode('RACE');
    const both = await Promise.allSettled([create({ code }), create({ code: code.toLowerCase() })]);
    expect(both.map((outcome) => outcome.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
  });

  it('refuses every field at fault at once', async () => {
    const refused = await failureOf(
      world.discount.createCoupon(
        CreateCouponRequest.fromPartial({
          code: 'a b',
          name: '',
          type: CouponType.COUPON_TYPE_FIXED_AMOUNT,
          percentOffBp: 50,
          currencyCode: 'EUR',
          minimumAmount: { currencyCode: 'USD', amountMinor: 100 },
          maximumDiscount: eur(10),
          usageLimit: -1,
          startsAt: new Date('2027-02-01T00:00:00Z'),
          endsAt: new Date('2027-01-01T00:00:00Z'),
          applicableProductIds: ['not-a-uuid'],
        }),
        world.admin,
      ),
    );
    expect(refused.code).to.equal(status.INVALID_ARGUMENT);
    expect(refused.violations.map((v) => v.field)).to.deep.equal([
      'code',
      'percent_off_bp',
      'amount_off',
      'minimum_amount.currency_code',
      'maximum_discount',
      'ends_at',
      'name',
      'usage_limit',
      'applicable_product_ids[0]',
    ]);
  });

  it('updates only what is set; the limit cannot go below the uses; deactivation is idempotent', async () => {
    const { coupon } = await create({ usageLimit: 5, minimumAmount: eur(1000) });
    const id = coupon!.id;
    for (let i = 0; i < 2; i++) {
      await world.discount.reserveDiscountUsage(
        {
          orderId: newId(),
          customer: { identity: { $case: 'userId', value: newId() } },
          currencyCode: 'EUR',
          couponCode: coupon!.code,
          couponDiscount: eur(100),
          promotions: [],
        },
        world.internal,
      );
    }
    const below = await failureOf(
      world.discount.updateCoupon(
        UpdateCouponRequest.fromPartial({ couponId: id, usageLimit: 1 }),
        world.admin,
      ),
    );
    expect(below.code).to.equal(status.FAILED_PRECONDITION);
    expect(below.errorInfo).to.deep.equal({
      reason: 'COUPON_USAGE_LIMIT_BELOW_USES',
      metadata: { usage_count: '2' },
    });

    const { coupon: updated } = await world.discount.updateCoupon(
      UpdateCouponRequest.fromPartial({
        couponId: id,
        type: CouponType.COUPON_TYPE_FIXED_AMOUNT,
        amountOff: eur(700),
        clearMinimumAmount: true,
        usageLimit: 0,
        excludedCategoryIds: { ids: [newId()] },
      }),
      world.admin,
    );
    expect(updated).to.deep.include({
      type: CouponType.COUPON_TYPE_FIXED_AMOUNT,
      percentOffBp: 0,
      amountOff: eur(700),
      minimumAmount: undefined,
      usageLimit: 0,
      usageCount: 2,
      name: coupon!.name,
    });
    expect(updated!.excludedCategoryIds).to.have.length(1);

    const { coupon: off } = await world.discount.deactivateCoupon({ couponId: id }, world.admin);
    expect(off!.active).to.equal(false);
    const again = await world.discount.deactivateCoupon({ couponId: id }, world.admin);
    expect(again.coupon).to.deep.equal(off);
    expect(
      (await failureOf(world.discount.deactivateCoupon({ couponId: newId() }, world.admin))).code,
    ).to.equal(status.NOT_FOUND);
  });

  it('lists newest first with filters, a page at a time, tokens bound to their filters', async () => {
    const prefix = uniqueCode('LST').slice(0, 10);
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(
        (
          await create({
            code: `${prefix}${i}`,
            type: i % 2 ? CouponType.COUPON_TYPE_FREE_SHIPPING : CouponType.COUPON_TYPE_PERCENTAGE,
            percentOffBp: i % 2 ? 0 : 1000,
            inactive: i === 4,
          })
        ).coupon!,
      );
    }
    const list = (fields: Partial<ListCouponsRequest>, pageToken = '') =>
      world.discount.listCoupons(
        ListCouponsRequest.fromPartial({
          codePrefix: prefix.toLowerCase(),
          page: { pageSize: 2, pageToken },
          ...fields,
        }),
        world.admin,
      );
    const first = await list({});
    const second = await list({}, first.page!.nextPageToken);
    const third = await list({}, second.page!.nextPageToken);
    expect([...first.coupons, ...second.coupons, ...third.coupons].map((c) => c.code)).to.deep.equal(
      made.map((c) => c.code).reverse(),
    );
    expect(third.page!.nextPageToken).to.equal('');
    const shipping = await list({ type: CouponType.COUPON_TYPE_FREE_SHIPPING });
    expect(shipping.coupons.map((c) => c.code)).to.deep.equal([`${prefix}3`, `${prefix}1`]);
    const valid = await world.discount.listCoupons(
      ListCouponsRequest.fromPartial({ codePrefix: prefix, validAt: new Date() }),
      world.admin,
    );
    expect(valid.coupons).to.have.length(4);
    const inactive = await world.discount.listCoupons(
      ListCouponsRequest.fromPartial({ codePrefix: prefix, active: false }),
      world.admin,
    );
    expect(inactive.coupons.map((c) => c.code)).to.deep.equal([`${prefix}4`]);
    const mismatched = await failureOf(
      list({ type: CouponType.COUPON_TYPE_PERCENTAGE }, first.page!.nextPageToken),
    );
    expect(mismatched.violations[0]!.field).to.equal('page.page_token');
  });

  it('only staff with discount:write change coupons; discount:read or :write read them; customers neither', async () => {
    const writer = await world.staff(['discount:write']);
    const reader = await world.staff(['discount:read']);
    const { coupon } = await create({}, writer);
    const lookup = { lookup: { $case: 'id' as const, value: coupon!.id } };
    expect((await world.discount.getCoupon(lookup, writer)).coupon!.id).to.equal(coupon!.id);
    expect((await world.discount.getCoupon(lookup, reader)).coupon!.id).to.equal(coupon!.id);
    expect((await failureOf(create({}, reader))).code).to.equal(status.PERMISSION_DENIED);
    const customer = await world.staff([]);
    expect((await failureOf(world.discount.getCoupon(lookup, customer))).code).to.equal(
      status.PERMISSION_DENIED,
    );
    expect((await failureOf(world.discount.getCoupon(lookup, { token: '' }))).code).to.equal(
      status.UNAUTHENTICATED,
    );
    expect((await failureOf(world.discount.getCoupon(lookup, world.internal))).code).to.equal(
      status.PERMISSION_DENIED,
    );
  });
});
