/**
 * What this process last learned of each variant's available units (summed over its locations,
 * while it was on sale), and when: a number from `now()`, taken before the read that learned it,
 * or before the commit of the reservation that did. A value learned at `learnedAt` was true at some
 * moment after `learnedAt`, so an order that arrived before it (`now()` on arrival) can be refused
 * with it: the refusal is linearizable at that moment. Other replicas' changes can make a value
 * stale in either direction: too high only sends the order to the locked check; too low refuses
 * with what was true after the order arrived, which is a refusal the order could have had.
 * Memory: one entry per variant reserved in this process (ids are UUIDs, so several databases in one
 * process do not mix).
 */
export interface KnownStock {
  available: number;
  learnedAt: number;
}

const known = new Map<string, KnownStock>();
let clock = 0;

/** A number greater than every number handed out before. */
export function now(): number {
  return ++clock;
}

/** Keeps `available` for the variant unless something learned later is already kept. */
export function learn(variantId: string, available: number, learnedAt: number): void {
  const kept = known.get(variantId);
  if (kept && kept.learnedAt > learnedAt) return;
  known.set(variantId, { available, learnedAt });
}

/** Drops what is known of these variants (their stock changed in this process). */
export function forget(variantIds: Iterable<string>): void {
  for (const variantId of variantIds) known.delete(variantId);
}

export function knownStock(variantId: string): KnownStock | undefined {
  return known.get(variantId);
}
