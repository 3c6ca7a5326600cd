import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReserveDiscountUsageRequest } from '../../../../../gen/ecommerce/discount/v1/discount.js';
import { minorUnitsToDecimal } from '../../../../../lib/db/money-type.js';
import { publishEvent } from '../../../../../lib/events/index.js';
import { CouponUsageLimitReachedEvent } from '../../../../../lib/events/catalog.js';
import { CommonReason, DiscountReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition, notFound } from '../../../../../lib/errors.js';
import { newId } from '../../../../../lib/ids.js';
import { requestHashOf } from '../../../../../lib/idempotency/idempotency-keys.js';
import { checked, type Violations } from '../../../../../lib/validation/index.js';
import type { ReservedPromotion } from '../../entities/discount-reservation.js';
import { checkAmount, checkCurrency } from '../checks.js';
import { checkCustomer, type CustomerKey } from '../customer.js';
import { findCouponByCode } from '../coupons/coupon-record.js';
import { couponRefusal, refusalError, unknownCoupon } from '../coupons/coupon-usability.js';
import { checkCouponCode } from '../pricing/pricing-request.js';
import type { CouponRush } from './coupon-rush.js';
import { findReservation, RELEASED_BEFORE_RESERVED, type ReservationRecord } from './reservation-record.js';

interface CheckedReservation {
  orderId: string;
  customer: CustomerKey;
  currency: string;
  couponCode: string;
  couponDiscount: number | null;
  promotions: ReservedPromotion[];
}

function checkPromotions(
  v: Violations,
  input: ReserveDiscountUsageRequest['promotions'],
  currency: string | null,
): ReservedPromotion[] {
  if (input.length > 100) v.add('promotions', 'must hold at most 100 promotions');
  const seen = new Map<string, number>();
  const promotions = input.map((promotion, i) => {
    const promotionId = v.uuid(`promotions[${i}].promotion_id`, promotion.promotionId);
    if (seen.has(promotionId))
      v.add(`promotions[${i}].promotion_id`, `repeats promotions[${seen.get(promotionId)}]`);
    seen.set(promotionId, i);
    const discount = promotion.discount
      ? checkAmount(v, `promotions[${i}].discount`, promotion.discount, currency)
      : (v.add(`promotions[${i}].discount`, 'is required'), 0);
    return { promotionId, discount };
  });
  return promotions.sort((a, b) =>
    a.promotionId < b.promotionId ? -1 : a.promotionId > b.promotionId ? 1 : 0,
  );
}

function checkRequest(request: ReserveDiscountUsageRequest): CheckedReservation {
  return checked((v) => {
    const orderId = v.uuid('order_id', request.orderId);
    const customer = checkCustomer(v, request.customer, true);
    const currency = checkCurrency(v, 'currency_code', request.currencyCode);
    const couponCode = checkCouponCode(v, request.couponCode, false);
    let couponDiscount: number | null = null;
    if (couponCode !== '') {
      if (!request.couponDiscount) v.add('coupon_discount', 'is required with a coupon code');
      else couponDiscount = checkAmount(v, 'coupon_discount', request.couponDiscount, currency);
    } else if (request.couponDiscount) {
      v.add('coupon_discount', 'is only sent with a coupon code');
    }
    return {
      orderId,
      customer: customer!,
      currency: currency ?? '',
      couponCode,
      couponDiscount,
      promotions: checkPromotions(v, request.promotions, currency),
    };
  });
}

/** Every promotion named exists (NOT_FOUND naming the first that does not). */
async function requirePromotions(
  tx: EntityManager,
  promotions: readonly ReservedPromotion[],
  request: ReserveDiscountUsageRequest,
): Promise<void> {
  if (promotions.length === 0) return;
  const rows = await tx.execute<{ id: string }[]>('SELECT id FROM promotions WHERE id = ANY(?::uuid[])', [
    `{${promotions.map((p) => p.promotionId).join(',')}}`,
  ]);
  const known = new Set(rows.map((row) => row.id));
  const index = request.promotions.findIndex((p) => !known.has(p.promotionId.toLowerCase()));
  if (index >= 0)
    throw notFound('promotion', `${request.promotions[index]!.promotionId} (promotions[${index}])`);
}

/**
 * Counts the order's use of its coupon, under the coupon's row lock: the global limit, then the
 * customer's, are judged on what every committed reservation left, so no limit is ever exceeded
 * however many orders arrive together. Publishes discount.coupon.usage_limit_reached when this use
 * takes the last one.
 */
async function reserveCoupon(
  tx: EntityManager,
  rush: CouponRush,
  input: CheckedReservation,
  now: Date,
): Promise<void> {
  const coupon = await findCouponByCode(tx, input.couponCode, { lock: true });
  if (!coupon) throw refusalError(unknownCoupon(input.couponCode));
  const [uses] = await tx.execute<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM coupon_usage
      WHERE coupon_id = ? AND status <> 'released' AND (user_id = ? OR guest_email = ?)`,
    [coupon.id, input.customer.userId, input.customer.guestEmail],
  );
  const refusal = couponRefusal(coupon, { currency: input.currency, now, customerUses: Number(uses!.n) });
  if (refusal) {
    const error = refusalError(refusal);
    if (refusal.reason === DiscountReason.COUPON_EXHAUSTED)
      rush.exhausted(input.couponCode, error, rush.now());
    throw error;
  }
  await tx.execute(
    `INSERT INTO coupon_usage (id, coupon_id, user_id, guest_email, order_id, discount_amount, currency, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'reserved')`,
    [
      newId(),
      coupon.id,
      input.customer.userId,
      input.customer.guestEmail,
      input.orderId,
      minorUnitsToDecimal(input.couponDiscount!),
      input.currency,
    ],
    'run',
  );
  await tx.execute(
    'UPDATE coupons SET usage_count = usage_count + 1, updated_at = now() WHERE id = ?',
    [coupon.id],
    'run',
  );
  await tx.execute(
    'UPDATE discount_reservations SET coupon_id = ?, coupon_code = ?, coupon_discount = ? WHERE order_id = ?',
    [coupon.id, coupon.code, minorUnitsToDecimal(input.couponDiscount!), input.orderId],
    'run',
  );
  if (coupon.usageLimit !== null && coupon.usageCount + 1 === coupon.usageLimit) {
    await publishEvent(tx, 'discount', CouponUsageLimitReachedEvent, {
      couponId: coupon.id,
      code: coupon.code,
      usageLimit: coupon.usageLimit,
      orderId: input.orderId,
      reachedAt: now,
    });
  }
}

/**
 * ReserveDiscountUsage, in one short transaction: the order id is claimed first (a concurrent
 * repeat waits on it, then finds this reservation), then the coupon's use is counted under its
 * row lock. A refusal rolls everything back, so the order may try again. A repeat answers the
 * reservation as it stands (a different request under the order id is IDEMPOTENCY_KEY_REUSED); an
 * order released before it reserved reserves nothing. Reservations of one coupon take turns in
 * this process, and a rush's refusals are answered from what the turns before learned (CouponRush).
 */
export async function reserveDiscountUsage(
  em: EntityManager,
  rush: CouponRush,
  request: ReserveDiscountUsageRequest,
  ttlSeconds: number,
  now = new Date(),
): Promise<ReservationRecord> {
  const arrivedAt = rush.now();
  const input = checkRequest(request);
  if (input.couponCode === '') return reserveOnce(em, rush, input, request, ttlSeconds, now);
  return rush.inTurn(input.couponCode, async () => {
    const refusal = rush.refusalSince(input.couponCode, arrivedAt);
    // A repeat of a known order is answered its reservation, whatever the coupon has left.
    if (refusal && !(await findReservation(em, input.orderId))) throw refusal;
    return reserveOnce(em, rush, input, request, ttlSeconds, now);
  });
}

async function reserveOnce(
  em: EntityManager,
  rush: CouponRush,
  input: CheckedReservation,
  request: ReserveDiscountUsageRequest,
  ttlSeconds: number,
  now: Date,
): Promise<ReservationRecord> {
  const requestHash = requestHashOf([
    input.customer.userId,
    input.customer.guestEmail,
    input.currency,
    input.couponCode,
    input.couponDiscount,
    input.promotions,
  ]);
  return em.transactional(async (tx) => {
    const claimed = await tx.execute<unknown[]>(
      `INSERT INTO discount_reservations (order_id, status, user_id, guest_email, currency, promotions, request_hash,
                                          reserved_at, expires_at)
       VALUES (?, 'reserved', ?, ?, ?, ?, ?, ?, ?::timestamptz + make_interval(secs => ?))
       ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
      [
        input.orderId,
        input.customer.userId,
        input.customer.guestEmail,
        input.currency,
        JSON.stringify(input.promotions),
        requestHash,
        now,
        now,
        ttlSeconds,
      ],
    );
    if (claimed.length === 0) {
      const existing = (await findReservation(tx, input.orderId))!;
      if (existing.requestHash !== requestHash && existing.requestHash !== RELEASED_BEFORE_RESERVED) {
        throw failedPrecondition(
          `order ${input.orderId} already reserved other discounts`,
          CommonReason.IDEMPOTENCY_KEY_REUSED,
          { order_id: input.orderId },
        );
      }
      return existing;
    }
    await requirePromotions(tx, input.promotions, request);
    if (input.couponCode !== '') await reserveCoupon(tx, rush, input, now);
    return (await findReservation(tx, input.orderId))!;
  });
}
