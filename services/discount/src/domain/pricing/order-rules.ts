import { allocateByLargestRemainder } from './allocation.js';
import { percentOf } from './arithmetic.js';
import { formatMoney, formatPercent } from './format.js';
import { matchesLine } from './target.js';
import type { PromotionRule } from './types.js';
import { sumOf, type RuleOutcome, type WorkLine } from './work-line.js';

type RuleOf<K extends PromotionRule['kind']> = Extract<PromotionRule, { kind: K }>;

function threshold(minSubtotal: number, currency: string): string {
  return minSubtotal > 0 ? `Spend ${formatMoney(minSubtotal, currency)}` : 'Every order';
}

/**
 * When the matching lines reach minSubtotal after the line promotions (`afterLines`), a percentage
 * of what is left of them now (`remaining`, after the order promotions before this one) or an
 * amount (at most what is left), allocated to them by largest remainder weighted by what is left.
 */
export function spendAmount(
  rule: RuleOf<'spend_amount'>,
  lines: readonly WorkLine[],
  afterLines: readonly number[],
  remaining: readonly number[],
  currency: string,
): RuleOutcome | null {
  const matched = lines.filter(({ line }) => matchesLine(rule.target, line));
  if (matched.length === 0) return null;
  if (sumOf(matched.map(({ position }) => afterLines[position]!)) < rule.minSubtotal) return null;
  const weights = matched.map(({ position }) => remaining[position]!);
  const base = sumOf(weights);
  const { benefit } = rule;
  const discount = benefit.type === 'percent' ? percentOf(base, benefit.bp) : Math.min(benefit.amount, base);
  if (discount === 0) return null;
  const amounts = lines.map(() => 0);
  const shares = allocateByLargestRemainder(discount, weights);
  matched.forEach(({ position }, index) => (amounts[position] = shares[index]!));
  const what =
    benefit.type === 'percent'
      ? `${formatPercent(benefit.bp)} off`
      : `${formatMoney(benefit.amount, currency)} off`;
  return { amounts, explanation: `${threshold(rule.minSubtotal, currency)}: ${what}` };
}

/** Whether the matching lines reach the free-shipping threshold after the line promotions. */
export function qualifiesForFreeShipping(
  rule: RuleOf<'free_shipping'>,
  lines: readonly WorkLine[],
  afterLines: readonly number[],
): boolean {
  const matched = lines.filter(({ line }) => matchesLine(rule.target, line));
  return (
    matched.length > 0 && sumOf(matched.map(({ position }) => afterLines[position]!)) >= rule.minSubtotal
  );
}

export function freeShippingExplanation(rule: RuleOf<'free_shipping'>, currency: string): string {
  return rule.minSubtotal > 0
    ? `Free shipping from ${formatMoney(rule.minSubtotal, currency)}`
    : 'Free shipping';
}
