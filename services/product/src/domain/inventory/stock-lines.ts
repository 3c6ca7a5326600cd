import { invalidArgument } from '../../../../../lib/errors.js';
import { requireUuid } from '../../../../../lib/validation/index.js';

export interface StockLineInput {
  variantId: string;
  quantity: number;
}

export const MAX_LINES = 100;
export const MAX_LINE_QUANTITY = 100_000;

/** Validates ReserveStock/Restock lines: 1-100, each variant once, quantities 1-100000. */
export function requireStockLines(lines: readonly StockLineInput[]): StockLineInput[] {
  if (lines.length === 0) throw invalidArgument('lines', 'give at least one line');
  if (lines.length > MAX_LINES) throw invalidArgument('lines', `must have at most ${MAX_LINES} entries`);
  const seen = new Set<string>();
  return lines.map((line, i) => {
    const variantId = requireUuid(`lines[${i}].variant_id`, line.variantId);
    if (seen.has(variantId))
      throw invalidArgument(`lines[${i}].variant_id`, 'repeats a variant of another line');
    seen.add(variantId);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_LINE_QUANTITY) {
      throw invalidArgument(`lines[${i}].quantity`, `must be a whole number from 1 to ${MAX_LINE_QUANTITY}`);
    }
    return { variantId, quantity: line.quantity };
  });
}

/** The lines in variant order: the request hash ignores line order, and locks follow one order. */
export function inVariantOrder(lines: readonly StockLineInput[]): StockLineInput[] {
  return [...lines].sort((a, b) => (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0));
}
