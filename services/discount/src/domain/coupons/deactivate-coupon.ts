import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../../../../lib/errors.js';
import { requireUuid } from '../../../../../lib/validation/index.js';
import { findCouponById, type CouponRecord } from './coupon-record.js';

/** Switches a coupon off; an inactive coupon is answered unchanged. */
export async function deactivateCoupon(em: EntityManager, couponId: string): Promise<CouponRecord> {
  const id = requireUuid('coupon_id', couponId);
  return em.transactional(async (tx) => {
    await tx.execute(
      'UPDATE coupons SET is_active = false, updated_at = now() WHERE id = ? AND is_active',
      [id],
      'run',
    );
    const coupon = await findCouponById(tx, id);
    if (!coupon) throw notFound('coupon', id);
    return coupon;
  });
}
