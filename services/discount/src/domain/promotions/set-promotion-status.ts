import type { EntityManager } from '@mikro-orm/postgresql';
import { PromotionStatus } from '../../../../../gen/ecommerce/discount/v1/discount.js';
import { DiscountReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition, invalidArgument, notFound } from '../../../../../lib/errors.js';
import { requireUuid } from '../../../../../lib/validation/index.js';
import { findPromotion, type PromotionRecord } from './promotion-record.js';
import { promotionStatuses } from './promotion-status.js';
import { setPromotionStatusRow } from './promotion-writes.js';
import type { RunningPromotions } from './running-promotions.js';

/**
 * Activates or pauses a promotion through its state machine; a promotion already there is answered
 * unchanged. A promotion past its end cannot be activated (move ends_at first).
 */
export async function setPromotionStatus(
  em: EntityManager,
  running: RunningPromotions,
  request: { promotionId: string; status: PromotionStatus },
  now = new Date(),
): Promise<PromotionRecord> {
  const id = requireUuid('promotion_id', request.promotionId);
  const to =
    request.status === PromotionStatus.PROMOTION_STATUS_ACTIVE
      ? 'active'
      : request.status === PromotionStatus.PROMOTION_STATUS_PAUSED
        ? 'paused'
        : undefined;
  if (!to) throw invalidArgument('status', 'must be PROMOTION_STATUS_ACTIVE or PROMOTION_STATUS_PAUSED');
  const { promotion, changed } = await em.transactional(async (tx) => {
    const current = await findPromotion(tx, id, { lock: true });
    if (!current) throw notFound('promotion', id);
    if (to === 'active' && current.status !== 'active' && current.endsAt && current.endsAt <= now) {
      throw failedPrecondition(
        `promotion ${id} ended at ${current.endsAt.toISOString()}; move ends_at before activating it`,
        DiscountReason.PROMOTION_EXPIRED,
        { promotion_id: id, ends_at: current.endsAt.toISOString() },
      );
    }
    const changed = await promotionStatuses.apply(
      tx,
      { id, from: current.status, to, changedBy: 'admin' },
      (t) => setPromotionStatusRow(t, id, to),
    );
    return { promotion: changed ? (await findPromotion(tx, id))! : current, changed };
  });
  if (changed) await running.refreshAfterWrite();
  return promotion;
}
