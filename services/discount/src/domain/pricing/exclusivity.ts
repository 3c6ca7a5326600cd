import { applyPromotions, type PromotionOutcome } from './promotion-outcome.js';
import type { PricingPromotion, SetAsideDiscount } from './types.js';
import type { WorkLine } from './work-line.js';

/** One outcome competing: the stackable promotions together, or one exclusive promotion alone. */
interface Contender {
  outcome: PromotionOutcome;
  /** Breaks ties: the highest priority (then lowest id) among the promotions that gave something. */
  lead: PricingPromotion | undefined;
  exclusive: boolean;
}

function byPriorityThenId(a: PricingPromotion, b: PricingPromotion): number {
  return b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function leadOf(outcome: PromotionOutcome): PricingPromotion | undefined {
  return outcome.effects.map((effect) => effect.promotion).sort(byPriorityThenId)[0];
}

/** Whether `a` beats `b`: the larger total discount, then the higher priority, then the lower id. */
function beats(a: Contender, b: Contender): boolean {
  if (a.outcome.total !== b.outcome.total) return a.outcome.total > b.outcome.total;
  if (!a.lead || !b.lead) return a.lead !== undefined;
  return byPriorityThenId(a.lead, b.lead) < 0;
}

function whyLeftOut(loser: Contender, winner: Contender): string {
  const name = `"${winner.lead!.name}"`;
  if (!winner.exclusive) return 'Does not combine with other promotions, and the combined ones give more';
  if (loser.exclusive) return `${name} gives more; promotions that do not combine are not used together`;
  return `${name} does not combine with other promotions and gives more`;
}

/**
 * The exclusivity rule: without an exclusive (non-stackable) promotion that gives something, the
 * stackable ones apply together. Otherwise each such exclusive promotion alone and the stackable
 * ones together compete, and the largest total discount wins (ties: the higher priority of the
 * outcome's leading promotion, then the lower id). What the losers would have given is set aside,
 * with why. `promotions` are in priority order.
 */
export function choosePromotions(
  promotions: readonly PricingPromotion[],
  lines: readonly WorkLine[],
  shipping: number,
  currency: string,
): { outcome: PromotionOutcome; setAside: SetAsideDiscount[] } {
  const stackable = applyPromotions(
    promotions.filter((promotion) => promotion.stackable),
    lines,
    shipping,
    currency,
  );
  const contenders: Contender[] = [{ outcome: stackable, lead: leadOf(stackable), exclusive: false }];
  for (const promotion of promotions) {
    if (promotion.stackable) continue;
    const alone = applyPromotions([promotion], lines, shipping, currency);
    if (alone.total > 0) contenders.push({ outcome: alone, lead: promotion, exclusive: true });
  }
  if (contenders.length === 1) return { outcome: stackable, setAside: [] };

  let winner = contenders[0]!;
  for (const contender of contenders.slice(1)) if (beats(contender, winner)) winner = contender;
  const setAside = contenders
    .filter((contender) => contender !== winner)
    .flatMap((loser) =>
      loser.outcome.effects.map((effect) => ({
        source: { kind: 'promotion' as const, id: effect.promotion.id, name: effect.promotion.name },
        amount: effect.total,
        explanation: whyLeftOut(loser, winner),
      })),
    )
    .sort((a, b) => (a.source.id < b.source.id ? -1 : a.source.id > b.source.id ? 1 : 0));
  return { outcome: winner.outcome, setAside };
}

export { byPriorityThenId };
