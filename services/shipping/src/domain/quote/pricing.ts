import { MAX_AMOUNT_MINOR } from '../../../../../lib/money.js';

/**
 * The price of a method for a basket, in integer minor units of the method's currency:
 * - with rate tiers: the rate of the tier whose weight range holds the basket's grams and whose
 *   amount range holds its subtotal (minimum included, maximum excluded, a null maximum unbounded);
 *   when several do, the lowest rate, then the smaller tier id; when none does, no price;
 * - without tiers: base + per kg × grams / 1000 (exact grams, rounded half up to the minor unit,
 *   once) + per item × units.
 * A price above the largest amount the platform stores is no price either. BigInt arithmetic: the
 * products of prices and weights may pass 2^53.
 */

export interface RateRule {
  id: string;
  minGrams: number;
  maxGrams: number | null;
  minAmount: number;
  maxAmount: number | null;
  rate: number;
}

export interface PriceRule {
  basePrice: number;
  pricePerKg: number;
  pricePerItem: number;
  rates: readonly RateRule[];
}

export interface Basket {
  grams: number;
  units: number;
  /** The subtotal in minor units (of the method's currency: the caller compares currencies). */
  subtotal: number;
}

function tierOf(rates: readonly RateRule[], basket: Basket): RateRule | undefined {
  let best: RateRule | undefined;
  for (const tier of rates) {
    const weightFits =
      tier.minGrams <= basket.grams && (tier.maxGrams === null || basket.grams < tier.maxGrams);
    const amountFits =
      tier.minAmount <= basket.subtotal && (tier.maxAmount === null || basket.subtotal < tier.maxAmount);
    if (!weightFits || !amountFits) continue;
    if (!best || tier.rate < best.rate || (tier.rate === best.rate && tier.id < best.id)) best = tier;
  }
  return best;
}

/** The method's price for the basket, or undefined when the method does not apply to it. */
export function priceOf(rule: PriceRule, basket: Basket): number | undefined {
  if (rule.rates.length > 0) return tierOf(rule.rates, basket)?.rate;
  const perKg = (BigInt(rule.pricePerKg) * BigInt(basket.grams) + 500n) / 1000n;
  const total = BigInt(rule.basePrice) + perKg + BigInt(rule.pricePerItem) * BigInt(basket.units);
  return total > BigInt(MAX_AMOUNT_MINOR) ? undefined : Number(total);
}
