import type { EntityManager } from '@mikro-orm/postgresql';
import type { PromotionRule } from '../pricing/types.js';
import { ruleFromStored } from './rule-storage.js';

export type StoredStatus = 'draft' | 'active' | 'paused' | 'expired';

/** A promotion with its rule, as the domain reads it. */
export interface PromotionRecord {
  id: string;
  name: string;
  description: string | null;
  /** As set (EXPIRED by date is worked out from endsAt, see effectiveStatus). */
  status: StoredStatus;
  priority: number;
  stackable: boolean;
  currency: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  rule: PromotionRule;
  createdAt: Date;
  updatedAt: Date;
}

export const PROMOTION_COLUMNS = `p.id, p.name, p.description, p.status, p.priority, p.stackable, p.currency,
  p.starts_at, p.ends_at, p.created_at, p.updated_at, r.conditions, r.actions`;

export const PROMOTION_FROM = 'promotions p JOIN promotion_rules r ON r.promotion_id = p.id';

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

export function promotionFromRow(row: Record<string, unknown>): PromotionRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    description: row.description === null ? null : String(row.description),
    status: row.status as StoredStatus,
    priority: Number(row.priority),
    stackable: Boolean(row.stackable),
    currency: row.currency === null ? null : String(row.currency),
    startsAt: row.starts_at === null ? null : asDate(row.starts_at),
    endsAt: row.ends_at === null ? null : asDate(row.ends_at),
    rule: ruleFromStored(row.conditions, row.actions),
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
  };
}

/** One promotion with its rule, or undefined; `lock` locks the promotion row (FOR UPDATE). */
export async function findPromotion(
  em: EntityManager,
  id: string,
  options: { lock?: boolean } = {},
): Promise<PromotionRecord | undefined> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    `SELECT ${PROMOTION_COLUMNS} FROM ${PROMOTION_FROM} WHERE p.id = ?${options.lock ? ' FOR UPDATE OF p' : ''}`,
    [id],
  );
  return row ? promotionFromRow(row) : undefined;
}
