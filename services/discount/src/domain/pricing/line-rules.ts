import { mulDivHalfUp, percentOf, WHOLE_BP } from './arithmetic.js';
import { formatMoney, formatPercent, units } from './format.js';
import { matchesLine } from './target.js';
import type { PromotionRule } from './types.js';
import { cheapestUnitsFirst, sumOf, type RuleOutcome, type WorkLine } from './work-line.js';

type RuleOf<K extends PromotionRule['kind']> = Extract<PromotionRule, { kind: K }>;

/** The discount of `count` of a line's units at `bp`, from what is left of the line (one rounding). */
function unitsDiscount(remaining: number, quantity: number, count: number, bp: number): number {
  return mulDivHalfUp(remaining, count * bp, quantity * WHOLE_BP);
}

function outcome(amounts: number[], explanation: string): RuleOutcome | null {
  return sumOf(amounts) > 0 ? { amounts, explanation } : null;
}

/** A percentage of every matching line, or an amount off each of its units (never below 0). */
export function productDiscount(
  rule: RuleOf<'product_discount'>,
  lines: readonly WorkLine[],
  remaining: readonly number[],
  currency: string,
): RuleOutcome | null {
  const { benefit } = rule;
  const amounts = lines.map(({ line, position }) => {
    if (!matchesLine(rule.target, line)) return 0;
    const left = remaining[position]!;
    if (benefit.type === 'percent') return percentOf(left, benefit.bp);
    // Beyond 2^53 the product is inexact, but then it is far above any line: the line's amount wins.
    return Math.min(benefit.amount * line.quantity, left);
  });
  const explanation =
    benefit.type === 'percent'
      ? `${formatPercent(benefit.bp)} off`
      : `${formatMoney(benefit.amount, currency)} off each unit`;
  return outcome(amounts, explanation);
}

/**
 * For every buy + get matching units, the `get` cheapest units of the cart (by the price left per
 * unit, ties by line id) are discounted; at most maxApplications times.
 */
export function buyXGetY(
  rule: RuleOf<'buy_x_get_y'>,
  lines: readonly WorkLine[],
  remaining: readonly number[],
): RuleOutcome | null {
  const matched = lines.filter(({ line }) => matchesLine(rule.target, line));
  const unitCount = sumOf(matched.map(({ line }) => line.quantity));
  let applications = Math.floor(unitCount / (rule.buyQuantity + rule.getQuantity));
  if (rule.maxApplications > 0) applications = Math.min(applications, rule.maxApplications);
  const discounted = applications * rule.getQuantity;
  if (discounted === 0) return null;
  const amounts = lines.map(() => 0);
  let left = discounted;
  for (const { line, position } of cheapestUnitsFirst(matched, remaining)) {
    if (left === 0) break;
    const count = Math.min(line.quantity, left);
    amounts[position] = unitsDiscount(remaining[position]!, line.quantity, count, rule.percentOffBp);
    left -= count;
  }
  const what = rule.percentOffBp === WHOLE_BP ? 'free' : `at ${formatPercent(rule.percentOffBp)} off`;
  return outcome(
    amounts,
    `Buy ${rule.buyQuantity}, get ${rule.getQuantity} ${what}: ${units(discounted)} discounted`,
  );
}

/** The highest tier the matching units reach, as a percentage off every matching line. */
export function volumeTiers(
  rule: RuleOf<'volume_tiers'>,
  lines: readonly WorkLine[],
  remaining: readonly number[],
): RuleOutcome | null {
  const matched = lines.filter(({ line }) => matchesLine(rule.target, line));
  const unitCount = sumOf(matched.map(({ line }) => line.quantity));
  let tier: RuleOf<'volume_tiers'>['tiers'][number] | undefined;
  for (const candidate of rule.tiers) if (candidate.minQuantity <= unitCount) tier = candidate;
  if (!tier) return null;
  const amounts = lines.map(() => 0);
  for (const { position } of matched) amounts[position] = percentOf(remaining[position]!, tier.percentOffBp);
  return outcome(
    amounts,
    `${units(unitCount)}: ${formatPercent(tier.percentOffBp)} off (from ${units(tier.minQuantity)})`,
  );
}

/**
 * Fills `count` bundles: each component in turn takes its units, cheapest first, from the matching
 * units no earlier component took. Returns the units taken per position, or undefined when they
 * do not suffice.
 */
function fillBundles(
  rule: RuleOf<'bundle'>,
  candidates: readonly WorkLine[][],
  count: number,
): Map<number, number> | undefined {
  const taken = new Map<number, number>();
  for (const [index, component] of rule.components.entries()) {
    let need = count * component.quantity;
    for (const { line, position } of candidates[index]!) {
      if (need === 0) break;
      const free = line.quantity - (taken.get(position) ?? 0);
      const take = Math.min(free, need);
      if (take > 0) taken.set(position, (taken.get(position) ?? 0) + take);
      need -= take;
    }
    if (need > 0) return undefined;
  }
  return taken;
}

/**
 * Complete sets of the components get the percentage off their units. The number of sets is the
 * largest the filling (fillBundles) finds, by bisection between 0 and what each component's
 * matching units allow, at most maxApplications.
 */
export function bundle(
  rule: RuleOf<'bundle'>,
  lines: readonly WorkLine[],
  remaining: readonly number[],
): RuleOutcome | null {
  const candidates = rule.components.map((component) =>
    cheapestUnitsFirst(
      lines.filter(({ line }) => matchesLine(component.target, line)),
      remaining,
    ),
  );
  let upper = Math.min(
    ...rule.components.map((component, index) =>
      Math.floor(sumOf(candidates[index]!.map(({ line }) => line.quantity)) / component.quantity),
    ),
  );
  if (rule.maxApplications > 0) upper = Math.min(upper, rule.maxApplications);
  let low = 0;
  let best = new Map<number, number>();
  let high = upper;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const filled = fillBundles(rule, candidates, middle);
    if (filled) {
      low = middle;
      best = filled;
    } else {
      high = middle - 1;
    }
  }
  if (low === 0) return null;
  const amounts = lines.map(() => 0);
  for (const [position, count] of best) {
    amounts[position] = unitsDiscount(
      remaining[position]!,
      lines[position]!.line.quantity,
      count,
      rule.percentOffBp,
    );
  }
  const unitCount = sumOf([...best.values()]);
  return outcome(
    amounts,
    `${units(low, 'bundle')}: ${formatPercent(rule.percentOffBp)} off ${units(unitCount)}`,
  );
}
