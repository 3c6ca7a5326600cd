import type { EntityManager } from '@mikro-orm/postgresql';
import { DiscountReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition, notFound } from '../../../../../lib/errors.js';
import { publishEvent } from '../../../../../lib/events/index.js';
import { CouponRedeemedEvent, PromotionAppliedEvent } from '../../../../../lib/events/catalog.js';
import { minorUnitsToDecimal } from '../../../../../lib/db/money-type.js';
import { newId } from '../../../../../lib/ids.js';
import { requireUuid } from '../../../../../lib/validation/index.js';
import { findReservation, type ReservationRecord } from './reservation-record.js';

/**
 * RedeemDiscountUsage: the order is confirmed. Its coupon use becomes a redemption and each
 * promotion it applied is recorded (promotion_usage), announced through the outbox in the same
 * transaction. A redeemed reservation is answered as it is; a released one is refused.
 */
export async function redeemDiscountUsage(em: EntityManager, orderId: string): Promise<ReservationRecord> {
  const id = requireUuid('order_id', orderId);
  return em.transactional(async (tx) => {
    const reservation = await findReservation(tx, id, { lock: true });
    if (!reservation) throw notFound('discount reservation of order', id);
    if (reservation.status === 'redeemed') return reservation;
    if (reservation.status === 'released') {
      throw failedPrecondition(
        `the discounts of order ${id} were released (${reservation.releaseCause}) and cannot be redeemed`,
        DiscountReason.DISCOUNT_RESERVATION_RELEASED,
        { order_id: id, release_cause: reservation.releaseCause ?? '' },
      );
    }
    const [{ redeemed_at: redeemedAt }] = (await tx.execute<{ redeemed_at: Date }[]>(
      `UPDATE discount_reservations SET status = 'redeemed', redeemed_at = now() WHERE order_id = ?
       RETURNING redeemed_at`,
      [id],
    )) as [{ redeemed_at: Date }];
    const at = redeemedAt instanceof Date ? redeemedAt : new Date(String(redeemedAt));
    const currencyCode = reservation.currency!;
    const userId = reservation.userId ?? '';

    if (reservation.couponId !== null) {
      const [usage] = await tx.execute<{ id: string }[]>(
        `UPDATE coupon_usage SET status = 'redeemed', used_at = ?, updated_at = now()
          WHERE coupon_id = ? AND order_id = ? RETURNING id`,
        [at, reservation.couponId, id],
      );
      await publishEvent(tx, 'discount', CouponRedeemedEvent, {
        redemptionId: usage!.id,
        couponId: reservation.couponId,
        code: reservation.couponCode!,
        orderId: id,
        userId,
        discount: { currencyCode, amountMinor: reservation.couponDiscount! },
        redeemedAt: at,
      });
    }
    if (reservation.promotions.length > 0) {
      const names = new Map(
        (
          await tx.execute<{ id: string; name: string }[]>(
            'SELECT id, name FROM promotions WHERE id = ANY(?::uuid[])',
            [`{${reservation.promotions.map((p) => p.promotionId).join(',')}}`],
          )
        ).map((row) => [row.id, row.name]),
      );
      for (const promotion of reservation.promotions) {
        await tx.execute(
          `INSERT INTO promotion_usage (id, promotion_id, user_id, guest_email, order_id, discount_amount, currency, used_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (promotion_id, order_id) DO NOTHING`,
          [
            newId(),
            promotion.promotionId,
            reservation.userId,
            reservation.guestEmail,
            id,
            minorUnitsToDecimal(promotion.discount),
            currencyCode,
            at,
          ],
          'run',
        );
        await publishEvent(tx, 'discount', PromotionAppliedEvent, {
          promotionId: promotion.promotionId,
          name: names.get(promotion.promotionId) ?? '',
          orderId: id,
          userId,
          discount: { currencyCode, amountMinor: promotion.discount },
          appliedAt: at,
        });
      }
    }
    return (await findReservation(tx, id))!;
  });
}
