import type { EntityManager } from '@mikro-orm/postgresql';
import type { CreateCouponRequest } from '../../../../../gen/ecommerce/discount/v1/discount.js';
import { newId } from '../../../../../lib/ids.js';
import { checked } from '../../../../../lib/validation/index.js';
import { couponDraftOf, fieldsOfCreate } from './coupon-fields.js';
import { findCouponById, type CouponRecord } from './coupon-record.js';
import { codeTaken, insertCoupon } from './coupon-writes.js';

/** Creates a coupon, every rule checked; its code (upper-cased) unique whatever the letter case. */
export async function createCoupon(em: EntityManager, request: CreateCouponRequest): Promise<CouponRecord> {
  const draft = checked((v) => couponDraftOf(v, fieldsOfCreate(request)));
  const id = newId();
  return em.transactional(async (tx) => {
    if (!(await insertCoupon(tx, id, draft))) throw codeTaken(draft.code);
    return (await findCouponById(tx, id))!;
  });
}
