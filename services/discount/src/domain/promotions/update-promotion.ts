import type { EntityManager } from '@mikro-orm/postgresql';
import type { UpdatePromotionRequest } from '../../../../../gen/ecommerce/discount/v1/discount.js';
import { notFound } from '../../../../../lib/errors.js';
import { checked, requireUuid } from '../../../../../lib/validation/index.js';
import { promotionDraftOfUpdate } from './promotion-fields.js';
import { findPromotion, type PromotionRecord } from './promotion-record.js';
import { updatePromotionRow } from './promotion-writes.js';
import type { RunningPromotions } from './running-promotions.js';

/** Changes the fields an update sets (a rule replaces the rule), the result checked whole. */
export async function updatePromotion(
  em: EntityManager,
  running: RunningPromotions,
  request: UpdatePromotionRequest,
): Promise<PromotionRecord> {
  const id = requireUuid('promotion_id', request.promotionId);
  const promotion = await em.transactional(async (tx) => {
    const current = await findPromotion(tx, id, { lock: true });
    if (!current) throw notFound('promotion', id);
    const draft = checked((v) => promotionDraftOfUpdate(v, current, request));
    await updatePromotionRow(tx, id, draft);
    return (await findPromotion(tx, id))!;
  });
  await running.refreshAfterWrite();
  return promotion;
}
