import type { EntityManager } from '@mikro-orm/postgresql';
import {
  PromotionKind,
  PromotionStatus,
  type ListPromotionsRequest,
} from '../../../../../gen/ecommerce/discount/v1/discount.js';
import { notFound } from '../../../../../lib/errors.js';
import { keysetPageOf, pageFrom } from '../../../../../lib/paging/index.js';
import { requireUuid } from '../../../../../lib/validation/index.js';
import {
  findPromotion,
  PROMOTION_COLUMNS,
  PROMOTION_FROM,
  promotionFromRow,
  type PromotionRecord,
} from './promotion-record.js';
import { kindOfMessage, statusOfMessage } from './promotion-view.js';

/** One promotion by id. */
export async function getPromotion(em: EntityManager, promotionId: string): Promise<PromotionRecord> {
  const id = requireUuid('promotion_id', promotionId);
  const promotion = await findPromotion(em, id);
  if (!promotion) throw notFound('promotion', id);
  return promotion;
}

/** Promotions, newest first (ids are UUIDv7), by status as at `now` and kind, a keyset page at a time. */
export async function listPromotions(
  em: EntityManager,
  request: ListPromotionsRequest,
  now = new Date(),
): Promise<{ promotions: PromotionRecord[]; nextPageToken: string }> {
  const status =
    request.status === PromotionStatus.PROMOTION_STATUS_UNSPECIFIED
      ? null
      : (statusOfMessage(request.status) ?? null);
  const kind =
    request.kind === PromotionKind.PROMOTION_KIND_UNSPECIFIED ? null : (kindOfMessage(request.kind) ?? null);
  const page = keysetPageOf(request.page, { status, kind }, 'none');
  const where: string[] = [];
  const params: unknown[] = [];
  if (status === 'expired') {
    where.push("((p.ends_at IS NOT NULL AND p.ends_at <= ?) OR p.status = 'expired')");
    params.push(now);
  } else if (status !== null) {
    where.push('p.status = ? AND (p.ends_at IS NULL OR p.ends_at > ?)');
    params.push(status, now);
  }
  if (kind !== null) {
    where.push("r.conditions->>'kind' = ?");
    params.push(kind);
  }
  if (page.after) {
    where.push('p.id < ?');
    params.push(page.after.id);
  }
  const rows = await em.execute<Record<string, unknown>[]>(
    `SELECT ${PROMOTION_COLUMNS} FROM ${PROMOTION_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY p.id DESC LIMIT ?`,
    [...params, page.size + 1],
  );
  const { rows: shown, nextPageToken } = pageFrom(rows.map(promotionFromRow), page, (p) => ({
    key: '',
    id: p.id,
  }));
  return { promotions: shown, nextPageToken };
}
