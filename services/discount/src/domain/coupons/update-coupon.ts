import type { EntityManager } from '@mikro-orm/postgresql';
import type { UpdateCouponRequest } from '../../../../../gen/ecommerce/discount/v1/discount.js';
import { DiscountReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition, notFound } from '../../../../../lib/errors.js';
import { checked, requireUuid } from '../../../../../lib/validation/index.js';
import { couponDraftOf, fieldsOfRecord, fieldsWithUpdate } from './coupon-fields.js';
import { findCouponById, type CouponRecord } from './coupon-record.js';
import { codeClashOf, codeTaken, isCodeTaken, updateCoupon as writeCoupon } from './coupon-writes.js';

/**
 * Changes the fields an update sets, then checks the coupon whole as at creation. The coupon row
 * is locked, so the usage count a lower limit is compared with is the one reservations see.
 */
export async function updateCoupon(em: EntityManager, request: UpdateCouponRequest): Promise<CouponRecord> {
  const id = requireUuid('coupon_id', request.couponId);
  let code = '';
  try {
    return await em.transactional(async (tx) => {
      const current = await findCouponById(tx, id, { lock: true });
      if (!current) throw notFound('coupon', id);
      const draft = checked((v) => couponDraftOf(v, fieldsWithUpdate(fieldsOfRecord(current), request)));
      code = draft.code;
      if (draft.usageLimit !== null && draft.usageLimit < current.usageCount) {
        throw failedPrecondition(
          `usage_limit ${draft.usageLimit} is below the ${current.usageCount} uses already reserved or redeemed`,
          DiscountReason.COUPON_USAGE_LIMIT_BELOW_USES,
          { usage_count: String(current.usageCount) },
        );
      }
      if (draft.code !== current.code && (await isCodeTaken(tx, draft.code, id))) throw codeTaken(draft.code);
      await writeCoupon(tx, id, draft);
      return (await findCouponById(tx, id))!;
    });
  } catch (error) {
    throw codeClashOf(error, code);
  }
}
