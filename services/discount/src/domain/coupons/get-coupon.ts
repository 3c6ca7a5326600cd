import type { EntityManager } from '@mikro-orm/postgresql';
import type { GetCouponRequest } from '../../../../../gen/ecommerce/discount/v1/discount.js';
import { invalidArgument, notFound } from '../../../../../lib/errors.js';
import { requireText, requireUuid } from '../../../../../lib/validation/index.js';
import { findCouponByCode, findCouponById, type CouponRecord } from './coupon-record.js';

/** One coupon by id, or by code in any letter case. */
export async function getCoupon(em: EntityManager, request: GetCouponRequest): Promise<CouponRecord> {
  const lookup = request.lookup;
  if (!lookup) throw invalidArgument('lookup', 'an id or a code is required');
  if (lookup.$case === 'id') {
    const id = requireUuid('id', lookup.value);
    const coupon = await findCouponById(em, id);
    if (!coupon) throw notFound('coupon', id);
    return coupon;
  }
  const code = requireText('code', lookup.value, 64);
  const coupon = await findCouponByCode(em, code);
  if (!coupon) throw notFound('coupon', code.toUpperCase());
  return coupon;
}
