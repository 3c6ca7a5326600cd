import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '../../../../../lib/ids.js';
import type { PromotionDraft } from './promotion-fields.js';
import type { StoredStatus } from './promotion-record.js';
import { storedRuleOf } from './rule-storage.js';

export async function insertPromotion(
  em: EntityManager,
  id: string,
  draft: PromotionDraft,
  status: StoredStatus,
): Promise<void> {
  const stored = storedRuleOf(draft.rule);
  await em.execute(
    `INSERT INTO promotions (id, name, description, type, status, starts_at, ends_at, is_active, stackable,
                             priority, currency)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      draft.name,
      draft.description,
      stored.promotionType,
      status,
      draft.startsAt,
      draft.endsAt,
      status === 'active',
      draft.stackable,
      draft.priority,
      draft.currency,
    ],
    'run',
  );
  await em.execute(
    `INSERT INTO promotion_rules (id, promotion_id, rule_type, conditions, actions) VALUES (?, ?, ?, ?, ?)`,
    [newId(), id, stored.ruleType, JSON.stringify(stored.conditions), JSON.stringify(stored.actions)],
    'run',
  );
}

export async function updatePromotionRow(
  em: EntityManager,
  id: string,
  draft: PromotionDraft,
): Promise<void> {
  const stored = storedRuleOf(draft.rule);
  await em.execute(
    `UPDATE promotions SET name = ?, description = ?, type = ?, starts_at = ?, ends_at = ?, stackable = ?,
            priority = ?, currency = ?, updated_at = now()
      WHERE id = ?`,
    [
      draft.name,
      draft.description,
      stored.promotionType,
      draft.startsAt,
      draft.endsAt,
      draft.stackable,
      draft.priority,
      draft.currency,
      id,
    ],
    'run',
  );
  await em.execute(
    `UPDATE promotion_rules SET rule_type = ?, conditions = ?, actions = ?, updated_at = now() WHERE promotion_id = ?`,
    [stored.ruleType, JSON.stringify(stored.conditions), JSON.stringify(stored.actions), id],
    'run',
  );
}

export async function setPromotionStatusRow(
  em: EntityManager,
  id: string,
  status: StoredStatus,
): Promise<void> {
  await em.execute(
    'UPDATE promotions SET status = ?, is_active = ?, updated_at = now() WHERE id = ?',
    [status, status === 'active', id],
    'run',
  );
}
