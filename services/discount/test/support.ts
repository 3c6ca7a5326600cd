import {
  CouponType,
  CreateCouponRequest,
  CreatePromotionRequest,
} from '../../../gen/ecommerce/discount/v1/discount.js';
import { quietLogger } from '../../../lib/testing/quiet-logger.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { discountDatabase } from '../src/database.js';
import { createCoupon } from '../src/domain/coupons/create-coupon.js';
import type { CouponRecord } from '../src/domain/coupons/coupon-record.js';
import { createPromotion } from '../src/domain/promotions/create-promotion.js';
import type { PromotionRecord } from '../src/domain/promotions/promotion-record.js';
import { RunningPromotions } from '../src/domain/promotions/running-promotions.js';
export { failureOf } from '../../../lib/testing/app-error.js';

/** A scratch discount database with the in-memory running promotions over it. */
export interface DiscountScratch {
  db: ScratchDatabase;
  running: RunningPromotions;
  coupon(fields?: Partial<CreateCouponRequest>): Promise<CouponRecord>;
  promotion(fields: Partial<CreatePromotionRequest>): Promise<PromotionRecord>;
}

let codes = 0;

export async function openDiscountScratch(prefix: string): Promise<DiscountScratch> {
  const db = await openScratchDatabase(prefix, discountDatabase);
  const running = new RunningPromotions(() => db.orm.em.fork(), quietLogger());
  await running.refresh();
  return {
    db,
    running,
    coupon: (fields = {}) =>
      createCoupon(
        db.orm.em.fork(),
        CreateCouponRequest.fromPartial({
          code: `T${process.pid}X${++codes}${Math.random().toString(36).slice(2, 6)}`.toUpperCase(),
          name: 'Ten percent',
          type: CouponType.COUPON_TYPE_PERCENTAGE,
          percentOffBp: 1000,
          currencyCode: 'EUR',
          ...fields,
        }),
      ),
    promotion: (fields) =>
      createPromotion(
        db.orm.em.fork(),
        running,
        CreatePromotionRequest.fromPartial({ name: 'A promotion', activate: true, ...fields }),
      ),
  };
}
