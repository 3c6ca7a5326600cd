import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  CouponRedeemed,
  CouponUsageLimitReached,
  PromotionApplied,
} from '../../../gen/ecommerce/discount/v1/events.js';
import { ReserveDiscountUsageRequest } from '../../../gen/ecommerce/discount/v1/discount.js';
import { decodeEnvelope } from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { redeemDiscountUsage } from '../src/domain/usage/redeem-usage.js';
import { expireReservations, releaseDiscountUsage } from '../src/domain/usage/release-usage.js';
import { CouponRush } from '../src/domain/usage/coupon-rush.js';
import { reserveDiscountUsage } from '../src/domain/usage/reserve-usage.js';
import { failureOf, openDiscountScratch, type DiscountScratch } from './support.js';

/** Coupon and promotion usage by orders: reserve, redeem, release, expire, each idempotent by order id. */
describe('discount usage: reservations by order id', function () {
  this.timeout(60_000);
  let scratch: DiscountScratch;
  const em = () => scratch.db.orm.em.fork();

  before(async () => {
    scratch = await openDiscountScratch('discount_usage');
  });
  after(async () => {
    await scratch?.db.drop();
  });

  const TTL = 900;
  const rush = new CouponRush();
  const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
  const user = (userId = newId()) => ({ identity: { $case: 'userId' as const, value: userId } });
  const guest = (email: string) => ({ identity: { $case: 'guestEmail' as const, value: email } });

  function reservation(fields: Partial<ReserveDiscountUsageRequest>) {
    return ReserveDiscountUsageRequest.fromPartial({
      orderId: newId(),
      customer: user(),
      currencyCode: 'EUR',
      ...fields,
    });
  }
  const reserve = (fields: Partial<ReserveDiscountUsageRequest>, now?: Date) =>
    reserveDiscountUsage(em(), rush, reservation(fields), TTL, now);
  const usageCount = async (couponId: string) =>
    Number(
      (
        await em().execute<{ n: number }[]>('SELECT usage_count AS n FROM coupons WHERE id = ?', [couponId])
      )[0]!.n,
    );
  async function events<T>(subject: string, decode: (bytes: Uint8Array) => T): Promise<T[]> {
    const rows = await em().execute<{ envelope: Uint8Array }[]>(
      'SELECT envelope FROM infra.outbox WHERE subject = ? ORDER BY id',
      [subject],
    );
    return rows.map((row) => decode(decodeEnvelope(row.envelope).payload));
  }

  it('reserves a coupon use and the promotions, then redeems them once, announcing each once', async () => {
    const coupon = await scratch.coupon({ usageLimit: 10 });
    const promotion = await scratch.promotion({
      rule: { $case: 'freeShipping', value: { target: undefined, minSubtotal: undefined } },
    });
    const orderId = newId();
    const customer = user();
    const request = {
      orderId,
      customer,
      couponCode: coupon.code.toLowerCase(),
      couponDiscount: eur(500),
      promotions: [{ promotionId: promotion.id, discount: eur(495) }],
    };
    const first = await reserve(request);
    expect(first).to.deep.include({
      status: 'reserved',
      couponId: coupon.id,
      couponCode: coupon.code,
      couponDiscount: 500,
    });
    expect(first.expiresAt.getTime() - first.reservedAt.getTime()).to.equal(TTL * 1000);
    // The same request again: the same reservation, nothing counted twice.
    expect(await reserve(request)).to.deep.equal(first);
    expect(await usageCount(coupon.id)).to.equal(1);

    const redeemed = await redeemDiscountUsage(em(), orderId);
    expect(redeemed.status).to.equal('redeemed');
    expect(await redeemDiscountUsage(em(), orderId)).to.deep.equal(redeemed);
    expect(await usageCount(coupon.id)).to.equal(1);
    const redemptions = (await events('discount.coupon.redeemed', CouponRedeemed.decode)).filter(
      (event) => event.orderId === orderId,
    );
    expect(redemptions).to.have.length(1);
    expect(redemptions[0]).to.deep.include({
      couponId: coupon.id,
      code: coupon.code,
      userId: customer.identity.value,
      discount: eur(500),
    });
    const applied = (await events('discount.promotion.applied', PromotionApplied.decode)).filter(
      (event) => event.orderId === orderId,
    );
    expect(applied.map((event) => [event.promotionId, event.name, event.discount])).to.deep.equal([
      [promotion.id, 'A promotion', eur(495)],
    ]);
    const [usage] = await em().execute('SELECT count(*)::int AS n FROM promotion_usage WHERE order_id = ?', [
      orderId,
    ]);
    expect(usage).to.deep.equal({ n: 1 });
    // A redeemed order's discounts cannot be given back.
    const refused = await failureOf(releaseDiscountUsage(em(), orderId));
    expect(refused.code).to.equal(status.FAILED_PRECONDITION);
    expect(refused.reason).to.equal('DISCOUNT_RESERVATION_REDEEMED');
  });

  it('the same order id with another request is IDEMPOTENCY_KEY_REUSED', async () => {
    const coupon = await scratch.coupon();
    const orderId = newId();
    const customer = user();
    await reserve({ orderId, customer, couponCode: coupon.code, couponDiscount: eur(100) });
    const refused = await failureOf(
      reserve({ orderId, customer, couponCode: coupon.code, couponDiscount: eur(200) }),
    );
    expect(refused.code).to.equal(status.FAILED_PRECONDITION);
    expect(refused.reason).to.equal('IDEMPOTENCY_KEY_REUSED');
    expect(refused.metadata).to.deep.equal({ order_id: orderId });
  });

  it('a release gives the use back; a repeat changes nothing; redeeming it is refused', async () => {
    const coupon = await scratch.coupon({ usageLimit: 1 });
    const orderId = newId();
    await reserve({ orderId, couponCode: coupon.code, couponDiscount: eur(100) });
    expect(await usageCount(coupon.id)).to.equal(1);
    const released = await releaseDiscountUsage(em(), orderId);
    expect(released).to.deep.include({ status: 'released', releaseCause: 'released' });
    expect(await releaseDiscountUsage(em(), orderId)).to.deep.equal(released);
    expect(await usageCount(coupon.id)).to.equal(0);
    const refused = await failureOf(redeemDiscountUsage(em(), orderId));
    expect(refused.code).to.equal(status.FAILED_PRECONDITION);
    expect(refused.reason).to.equal('DISCOUNT_RESERVATION_RELEASED');
    expect(refused.metadata).to.deep.equal({ order_id: orderId, release_cause: 'released' });
    // The use given back is free for another order.
    expect((await reserve({ couponCode: coupon.code, couponDiscount: eur(100) })).status).to.equal(
      'reserved',
    );
  });

  it('a release that arrives first is remembered: the late reservation reserves nothing', async () => {
    const coupon = await scratch.coupon({ usageLimit: 5 });
    const orderId = newId();
    const tombstone = await releaseDiscountUsage(em(), orderId);
    expect(tombstone).to.deep.include({ status: 'released', releaseCause: 'released_before_reserved' });
    const late = await reserve({ orderId, couponCode: coupon.code, couponDiscount: eur(100) });
    expect(late).to.deep.include({ status: 'released', couponId: null });
    expect(await usageCount(coupon.id)).to.equal(0);
  });

  it('redeeming an order that reserved nothing is NOT_FOUND', async () => {
    const refused = await failureOf(redeemDiscountUsage(em(), newId()));
    expect(refused.code).to.equal(status.NOT_FOUND);
  });

  it('the expiry job releases reservations past their time, and only those', async () => {
    const coupon = await scratch.coupon({ usageLimit: 3 });
    const stale = newId();
    const fresh = newId();
    await reserve(
      { orderId: stale, couponCode: coupon.code, couponDiscount: eur(1) },
      new Date(Date.now() - (TTL + 5) * 1000),
    );
    await reserve({ orderId: fresh, couponCode: coupon.code, couponDiscount: eur(1) });
    expect(await usageCount(coupon.id)).to.equal(2);
    expect(await expireReservations(em(), 100)).to.be.at.least(1);
    expect(await usageCount(coupon.id)).to.equal(1);
    const refused = await failureOf(redeemDiscountUsage(em(), stale));
    expect(refused.metadata).to.deep.equal({ order_id: stale, release_cause: 'expired' });
    expect((await redeemDiscountUsage(em(), fresh)).status).to.equal('redeemed');
    expect(await expireReservations(em(), 100)).to.equal(0);
  });

  it('refuses with the coupon reasons: exhausted, customer limit (a guest by email in any case), dates, currency', async () => {
    const limited = await scratch.coupon({ usageLimit: 1 });
    await reserve({ couponCode: limited.code, couponDiscount: eur(1) });
    const exhausted = await failureOf(reserve({ couponCode: limited.code, couponDiscount: eur(1) }));
    expect([exhausted.code, exhausted.reason]).to.deep.equal([
      status.FAILED_PRECONDITION,
      'COUPON_EXHAUSTED',
    ]);
    const reached = await events('discount.coupon.usage_limit_reached', CouponUsageLimitReached.decode);
    expect(
      reached.filter((event) => event.couponId === limited.id).map((event) => event.usageLimit),
    ).to.deep.equal([1]);

    const once = await scratch.coupon({ usageLimitPerCustomer: 1 });
    await reserve({ customer: guest('Ada@Example.com'), couponCode: once.code, couponDiscount: eur(1) });
    const again = await failureOf(
      reserve({ customer: guest('  ada@example.COM '), couponCode: once.code, couponDiscount: eur(1) }),
    );
    expect(again.reason).to.equal('COUPON_CUSTOMER_LIMIT_REACHED');
    expect(again.metadata).to.deep.include({ usage_limit_per_customer: '1' });
    expect(
      (await reserve({ customer: guest('bob@example.com'), couponCode: once.code, couponDiscount: eur(1) }))
        .status,
    ).to.equal('reserved');

    const later = await scratch.coupon({ startsAt: new Date(Date.now() + 86_400_000) });
    expect((await failureOf(reserve({ couponCode: later.code, couponDiscount: eur(1) }))).reason).to.equal(
      'COUPON_NOT_STARTED',
    );
    const over = await scratch.coupon({
      startsAt: new Date(Date.now() - 2 * 86_400_000),
      endsAt: new Date(Date.now() - 86_400_000),
    });
    expect((await failureOf(reserve({ couponCode: over.code, couponDiscount: eur(1) }))).reason).to.equal(
      'COUPON_EXPIRED',
    );
    const dollars = await failureOf(
      reserve({
        currencyCode: 'USD',
        couponCode: once.code,
        couponDiscount: { currencyCode: 'USD', amountMinor: 1 },
      }),
    );
    expect(dollars.reason).to.equal('COUPON_CURRENCY_MISMATCH');
    const unknown = await failureOf(reserve({ couponCode: 'NOPE-NOPE', couponDiscount: eur(1) }));
    expect([unknown.code, unknown.reason, unknown.metadata]).to.deep.equal([
      status.NOT_FOUND,
      'COUPON_NOT_FOUND',
      { code: 'NOPE-NOPE' },
    ]);
  });

  it('a refused reservation leaves nothing behind: the order may reserve again', async () => {
    const coupon = await scratch.coupon({ usageLimit: 1 });
    const holder = newId();
    await reserve({ orderId: holder, couponCode: coupon.code, couponDiscount: eur(1) });
    const orderId = newId();
    await failureOf(reserve({ orderId, couponCode: coupon.code, couponDiscount: eur(1) }));
    await releaseDiscountUsage(em(), holder);
    expect((await reserve({ orderId, couponCode: coupon.code, couponDiscount: eur(1) })).status).to.equal(
      'reserved',
    );
  });

  it('every field at fault is refused at once', async () => {
    const refused = await failureOf(
      reserveDiscountUsage(
        em(),
        rush,
        ReserveDiscountUsageRequest.fromPartial({
          orderId: 'nope',
          currencyCode: 'EURO',
          couponCode: 'X',
          promotions: [{ promotionId: 'p1', discount: { currencyCode: 'EUR', amountMinor: -1 } }],
        }),
        TTL,
      ),
    );
    expect(refused.code).to.equal(status.INVALID_ARGUMENT);
    expect(refused.violations!.map((v) => v.field)).to.deep.equal([
      'order_id',
      'customer',
      'currency_code',
      'coupon_discount',
      'promotions[0].promotion_id',
      'promotions[0].discount.amount_minor',
    ]);
  });
});
