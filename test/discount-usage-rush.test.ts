import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { CouponType, CreateCouponRequest, ReservationState } from '../gen/ecommerce/discount/v1/discount.js';
import { newId } from '../lib/ids.js';
import { startDiscountWorld, uniqueCode, type DiscountWorld } from './discount-support.js';
import type { CallFailure } from './support/clients.js';

/** Coupon limits under a rush of orders, over real gRPC: no limit is ever exceeded. */
describe('discount usage: limits under concurrency', function () {
  this.timeout(300_000);
  let world: DiscountWorld;

  before(async () => {
    world = await startDiscountWorld();
  });
  after(async () => {
    await world?.stop();
  });

  async function coupon(fields: Partial<CreateCouponRequest>) {
    const { coupon } = await world.discount.createCoupon(
      CreateCouponRequest.fromPartial({
        code: uniqueCode('RUSH'),
        name: 'Rush',
        type: CouponType.COUPON_TYPE_FIXED_AMOUNT,
        amountOff: { currencyCode: 'EUR', amountMinor: 500 },
        currencyCode: 'EUR',
        ...fields,
      }),
      world.admin,
    );
    return coupon!;
  }

  const reserve = (
    code: string,
    orderId: string,
    customer: { $case: 'userId' | 'guestEmail'; value: string },
  ) =>
    world.discount.reserveDiscountUsage(
      {
        orderId,
        customer: { identity: customer },
        currencyCode: 'EUR',
        couponCode: code,
        couponDiscount: { currencyCode: 'EUR', amountMinor: 500 },
        promotions: [],
      },
      world.internal,
    );

  const usageOf = async (id: string) =>
    (await world.discount.getCoupon({ lookup: { $case: 'id', value: id } }, world.admin)).coupon!.usageCount;

  it('500 orders at once on a coupon limited to 100: exactly 100 reserved, 400 COUPON_EXHAUSTED', async () => {
    const limited = await coupon({ usageLimit: 100 });
    const orders = Array.from({ length: 500 }, () => newId());
    const outcomes = await Promise.allSettled(
      orders.map((orderId) => reserve(limited.code, orderId, { $case: 'userId', value: newId() })),
    );
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as CallFailure] : [],
    );
    expect(won).to.have.length(100);
    expect(lost).to.have.length(400);
    for (const failure of lost) {
      expect(failure.code, failure.details).to.equal(status.FAILED_PRECONDITION);
      expect(failure.errorInfo?.reason).to.equal('COUPON_EXHAUSTED');
    }
    expect(await usageOf(limited.id)).to.equal(100);

    // Releasing 10 frees 10 uses, and no more.
    const winners = orders.filter((_, i) => outcomes[i]!.status === 'fulfilled');
    await Promise.all(
      winners.slice(0, 10).map((orderId) => world.discount.releaseDiscountUsage({ orderId }, world.internal)),
    );
    expect(await usageOf(limited.id)).to.equal(90);
    const second = await Promise.allSettled(
      Array.from({ length: 30 }, () => reserve(limited.code, newId(), { $case: 'userId', value: newId() })),
    );
    expect(second.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(10);
    expect(await usageOf(limited.id)).to.equal(100);
  });

  it('20 orders at once by one customer on a once-per-customer coupon: exactly one', async () => {
    const once = await coupon({ usageLimitPerCustomer: 1 });
    const userId = newId();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => reserve(once.code, newId(), { $case: 'userId', value: userId })),
    );
    const lost = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as CallFailure] : [],
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(1);
    expect(lost.map((failure) => failure.errorInfo?.reason)).to.deep.equal(
      Array.from({ length: 19 }, () => 'COUPON_CUSTOMER_LIMIT_REACHED'),
    );
    expect(await usageOf(once.id)).to.equal(1);
  });

  it('20 guest orders at once by one email in different letter cases: exactly one', async () => {
    const once = await coupon({ usageLimitPerCustomer: 1 });
    const emails = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? 'Guest.Rush@Example.com' : 'guest.rush@EXAMPLE.COM',
    );
    const outcomes = await Promise.allSettled(
      emails.map((value) => reserve(once.code, newId(), { $case: 'guestEmail', value })),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(1);
    expect(await usageOf(once.id)).to.equal(1);
  });

  it('the same reservation 20 times at once reserves once, and every answer is that reservation', async () => {
    const limited = await coupon({ usageLimit: 5 });
    const orderId = newId();
    const userId = newId();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => reserve(limited.code, orderId, { $case: 'userId', value: userId })),
    );
    for (const answer of answers) expect(answer.reservation).to.deep.equal(answers[0]!.reservation);
    expect(answers[0]!.reservation!.state).to.equal(ReservationState.RESERVATION_STATE_RESERVED);
    expect(await usageOf(limited.id)).to.equal(1);
    // Redeem and release raced: one wins, the other is refused, the use counted once either way.
    const [redeem, release] = await Promise.allSettled([
      world.discount.redeemDiscountUsage({ orderId }, world.internal),
      world.discount.releaseDiscountUsage({ orderId }, world.internal),
    ]);
    expect([redeem.status, release.status].sort()).to.deep.equal(['fulfilled', 'rejected']);
    expect(await usageOf(limited.id)).to.equal(redeem.status === 'fulfilled' ? 1 : 0);
  });
});
