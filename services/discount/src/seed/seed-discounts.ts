import type { MikroORM } from '@mikro-orm/postgresql';
import {
  countInserted,
  emptySeedResult,
  retryOnceOnConflict,
  type DemoSeedResult,
} from '../../../../lib/runtime/demo-seed.js';
import { newId } from '../../../../lib/ids.js';
import { insertPromotion } from '../domain/promotions/promotion-writes.js';
import { Coupon, Promotion } from '../entities/index.js';
import { DEMO_COUPONS, DEMO_PROMOTIONS, DISCOUNT_CURRENCY } from './discount-data.js';

/**
 * Loads the demo coupons (by code, case-insensitively, as the unique index compares them) and
 * promotions (by name) with their rule, in one transaction: coupons through the entity, promotions
 * through the writer CreatePromotion uses (one rule row each). Running it again inserts nothing.
 */
export function seedDiscountDemo(orm: MikroORM): Promise<DemoSeedResult> {
  return retryOnceOnConflict(() => loadDiscountDemo(orm));
}

async function loadDiscountDemo(orm: MikroORM): Promise<DemoSeedResult> {
  const result = emptySeedResult(['coupons', 'promotions', 'promotion_rules']);
  await orm.em.fork().transactional(async (em) => {
    const codes = new Set(
      (
        await em.execute<{ code: string }[]>(
          'SELECT upper(code) AS code FROM coupons WHERE upper(code) IN (?)',
          [DEMO_COUPONS.map((c) => c.code.toUpperCase())],
        )
      ).map((row) => row.code),
    );
    for (const coupon of DEMO_COUPONS) {
      if (codes.has(coupon.code.toUpperCase())) continue;
      em.create(Coupon, { ...coupon, currency: DISCOUNT_CURRENCY });
      countInserted(result, 'coupons');
    }

    const promotions = new Set(
      (await em.find(Promotion, { name: { $in: DEMO_PROMOTIONS.map((p) => p.name) } })).map((p) => p.name),
    );
    for (const { status, ...demo } of DEMO_PROMOTIONS) {
      if (promotions.has(demo.name)) continue;
      await insertPromotion(em, newId(), demo, status);
      countInserted(result, 'promotions');
      countInserted(result, 'promotion_rules');
    }
  });
  return result;
}
