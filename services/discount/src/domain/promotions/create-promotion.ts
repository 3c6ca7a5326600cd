import type { EntityManager } from '@mikro-orm/postgresql';
import type { CreatePromotionRequest } from '../../../../../gen/ecommerce/discount/v1/discount.js';
import { newId } from '../../../../../lib/ids.js';
import { checked } from '../../../../../lib/validation/index.js';
import { promotionDraftOfCreate } from './promotion-fields.js';
import { findPromotion, type PromotionRecord } from './promotion-record.js';
import { insertPromotion } from './promotion-writes.js';
import type { RunningPromotions } from './running-promotions.js';

/**
 * Creates a promotion with its rule (DRAFT, or ACTIVE when asked), every field checked at once;
 * this replica's running promotions are reloaded before the answer.
 */
export async function createPromotion(
  em: EntityManager,
  running: RunningPromotions,
  request: CreatePromotionRequest,
): Promise<PromotionRecord> {
  const draft = checked((v) => promotionDraftOfCreate(v, request));
  const id = newId();
  const promotion = await em.transactional(async (tx) => {
    await insertPromotion(tx, id, draft, request.activate ? 'active' : 'draft');
    return (await findPromotion(tx, id))!;
  });
  if (request.activate) await running.refreshAfterWrite();
  return promotion;
}
