import type { CartLine, Target } from './types.js';

interface CompiledTarget {
  everyLine: boolean;
  products: ReadonlySet<string>;
  categories: ReadonlySet<string>;
  excludedProducts: ReadonlySet<string>;
  excludedCategories: ReadonlySet<string>;
}

// Targets live as long as the promotion or coupon holding them; their sets are built once.
const compiled = new WeakMap<Target, CompiledTarget>();

function compile(target: Target): CompiledTarget {
  let sets = compiled.get(target);
  if (!sets) {
    sets = {
      everyLine: target.productIds.length === 0 && target.categoryIds.length === 0,
      products: new Set(target.productIds),
      categories: new Set(target.categoryIds),
      excludedProducts: new Set(target.excludedProductIds),
      excludedCategories: new Set(target.excludedCategoryIds),
    };
    compiled.set(target, sets);
  }
  return sets;
}

/**
 * Whether a line is one the target looks at: its product or one of its categories is listed (or
 * nothing is listed), and neither its product nor one of its categories is excluded.
 */
export function matchesLine(target: Target, line: CartLine): boolean {
  const sets = compile(target);
  if (sets.excludedProducts.has(line.productId)) return false;
  if (sets.excludedCategories.size > 0 && line.categoryIds.some((id) => sets.excludedCategories.has(id))) {
    return false;
  }
  if (sets.everyLine) return true;
  return sets.products.has(line.productId) || line.categoryIds.some((id) => sets.categories.has(id));
}

/** A target that looks at every line. */
export const EVERY_LINE: Target = Object.freeze({
  productIds: [],
  categoryIds: [],
  excludedProductIds: [],
  excludedCategoryIds: [],
});
