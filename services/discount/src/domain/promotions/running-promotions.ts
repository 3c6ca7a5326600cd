import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../../../../lib/log.js';
import type { CartLine, PricingPromotion, PromotionRule, Target } from '../pricing/types.js';
import { PROMOTION_COLUMNS, PROMOTION_FROM, promotionFromRow } from './promotion-record.js';

/** A running promotion with its window, as held in memory. */
interface HeldPromotion {
  pricing: PricingPromotion;
  startsAt: number | null;
  endsAt: number | null;
}

/** The promotions of one load, indexed by the product and category ids their rules name. */
class PromotionIndex {
  readonly everywhere: HeldPromotion[] = [];
  readonly byProduct = new Map<string, HeldPromotion[]>();
  readonly byCategory = new Map<string, HeldPromotion[]>();
  constructor(readonly size: number) {}

  add(held: HeldPromotion): void {
    const targets = targetsOf(held.pricing.rule);
    if (targets.some((t) => t.productIds.length === 0 && t.categoryIds.length === 0)) {
      this.everywhere.push(held);
      return;
    }
    const products = new Set(targets.flatMap((t) => t.productIds));
    const categories = new Set(targets.flatMap((t) => t.categoryIds));
    for (const id of products) push(this.byProduct, id, held);
    for (const id of categories) push(this.byCategory, id, held);
  }
}

function push(map: Map<string, HeldPromotion[]>, key: string, held: HeldPromotion): void {
  const list = map.get(key);
  if (list) list.push(held);
  else map.set(key, [held]);
}

function targetsOf(rule: PromotionRule): readonly Target[] {
  return rule.kind === 'bundle' ? rule.components.map((component) => component.target) : [rule.target];
}

/**
 * The running promotions (set ACTIVE and not past their end) of this replica, in memory and
 * indexed by the product and category ids they name, so that pricing a cart costs a look-up per
 * line and nothing for the promotions that cannot apply. Reloaded every DISCOUNT_PROMOTION_REFRESH_MS
 * and at once after a write on this replica: another replica sees a change within that interval.
 */
export class RunningPromotions {
  private index = new PromotionIndex(0);
  private loading: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    private readonly fork: () => EntityManager,
    private readonly logger: Logger,
  ) {}

  /** How many promotions the last load held. */
  get size(): number {
    return this.index.size;
  }

  /**
   * Loads the running promotions again. A call made while a load runs waits for a new load that
   * starts after it (the running one may have read before the caller's write committed).
   */
  refresh(): Promise<void> {
    if (!this.loading) {
      this.loading = this.load().finally(() => (this.loading = undefined));
      return this.loading;
    }
    this.queued ??= this.loading
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.refresh();
      });
    return this.queued;
  }

  /** After a write on this replica: reload now; a failure is logged, the next interval retries. */
  async refreshAfterWrite(): Promise<void> {
    try {
      await this.refresh();
    } catch (error) {
      this.logger.warn({ err: error }, 'reloading the running promotions after a write failed');
    }
  }

  /**
   * The promotions that may apply to these lines at `now`: those naming one of their products or
   * categories, and those for every product; in no particular order (the engine sorts them).
   */
  candidatesFor(lines: readonly CartLine[], now: Date): PricingPromotion[] {
    const index = this.index;
    const at = now.getTime();
    const found = new Set<HeldPromotion>(index.everywhere);
    for (const line of lines) {
      for (const held of index.byProduct.get(line.productId) ?? []) found.add(held);
      for (const category of line.categoryIds) {
        for (const held of index.byCategory.get(category) ?? []) found.add(held);
      }
    }
    const running: PricingPromotion[] = [];
    for (const held of found) {
      if (held.startsAt !== null && at < held.startsAt) continue;
      if (held.endsAt !== null && at >= held.endsAt) continue;
      running.push(held.pricing);
    }
    return running;
  }

  private async load(): Promise<void> {
    const rows = await this.fork().execute<Record<string, unknown>[]>(
      `SELECT ${PROMOTION_COLUMNS} FROM ${PROMOTION_FROM}
        WHERE p.status = 'active' AND p.is_active AND (p.ends_at IS NULL OR p.ends_at > now())`,
    );
    const index = new PromotionIndex(rows.length);
    for (const row of rows) {
      const promotion = promotionFromRow(row);
      index.add({
        pricing: {
          id: promotion.id,
          name: promotion.name,
          priority: promotion.priority,
          stackable: promotion.stackable,
          currency: promotion.currency,
          rule: promotion.rule,
        },
        startsAt: promotion.startsAt?.getTime() ?? null,
        endsAt: promotion.endsAt?.getTime() ?? null,
      });
    }
    this.index = index;
  }
}
