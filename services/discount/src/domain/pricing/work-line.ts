import { compareFractions } from './arithmetic.js';
import type { CartLine } from './types.js';

/** A cart line as the engine works on it: its place in line id order and its subtotal. */
export interface WorkLine {
  line: CartLine;
  /** Index in line id order (the engine's one order of lines). */
  position: number;
  subtotal: number;
}

/** What one rule gives each line (by position; 0 for the others), and why in words. */
export interface RuleOutcome {
  amounts: number[];
  explanation: string;
}

export function sumOf(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

/**
 * The lines cheapest first by the price left per unit (what is left of the line / its quantity,
 * compared exactly), ties by position: the order units are picked in by buy X get Y and bundles.
 */
export function cheapestUnitsFirst(lines: readonly WorkLine[], remaining: readonly number[]): WorkLine[] {
  return [...lines].sort(
    (a, b) =>
      compareFractions(remaining[a.position]!, a.line.quantity, remaining[b.position]!, b.line.quantity) ||
      a.position - b.position,
  );
}
