import type { EntityManager } from '@mikro-orm/postgresql';
import { StateMachine } from '../../../../../lib/state-machine.js';
import type { PromotionRecord, StoredStatus } from './promotion-record.js';

export type PromotionStatus = 'draft' | 'active' | 'paused' | 'expired';

/**
 * The statuses a promotion is set to: a draft is activated once; an active one is paused and
 * activated again. EXPIRED is never set by the service (the first schema allowed it: such a row
 * changes no more); a promotion is expired by its end date, whatever its set status.
 */
export const promotionStatuses = new StateMachine<StoredStatus, EntityManager>('promotion', {
  draft: ['active'],
  active: ['paused'],
  paused: ['active'],
  expired: [],
});

/** Where a promotion stands at `now`: EXPIRED once its end has passed, else its set status. */
export function effectiveStatus(
  promotion: Pick<PromotionRecord, 'status' | 'endsAt'>,
  now: Date,
): PromotionStatus {
  if (promotion.endsAt && promotion.endsAt.getTime() <= now.getTime()) return 'expired';
  return promotion.status;
}
