import type { MikroORM } from '@mikro-orm/postgresql';
import { invalidArgument, notFound } from '../../../../lib/errors.js';
import { isUuid } from '../../../../lib/ids.js';
import { loadProductView, loadProductViews, type ProductView } from './product-view.js';

/** Where product views come from: the database, or the process cache in front of it. */
export interface ProductSource {
  one(lookup: ProductLookup): Promise<ProductView | undefined>;
  many(ids: readonly string[]): Promise<ProductView[]>;
}

/** Product views read from the database, each read in an entity manager of its own. */
export function databaseProducts(orm: MikroORM): ProductSource {
  return {
    one: (lookup) => loadProductView(orm.em.fork(), lookup),
    many: (ids) => loadProductViews(orm.em.fork(), ids),
  };
}

export const MAX_BATCH_IDS = 100;

export type ProductLookup = { id: string } | { slug: string };

/** The lookup of a GetProduct request, trimmed; INVALID_ARGUMENT when none is given. */
export function requireLookup(lookup: { $case: 'id' | 'slug'; value: string } | undefined): ProductLookup {
  if (!lookup || lookup.value.trim() === '') throw invalidArgument('lookup', 'give a product id or a slug');
  return lookup.$case === 'id' ? { id: lookup.value.trim().toLowerCase() } : { slug: lookup.value.trim() };
}

/** A product the caller may see: published, or any for catalog editors; NOT_FOUND otherwise. */
export async function getProduct(
  source: ProductSource,
  lookup: ProductLookup,
  includeUnpublished: boolean,
): Promise<ProductView> {
  const view = await source.one(lookup);
  const what = 'id' in lookup ? lookup.id : lookup.slug;
  if (!view || (!includeUnpublished && !view.published)) throw notFound('product', what);
  return view;
}

/** The ids of a BatchGetProducts request, validated, lower case, repeats dropped (first kept). */
export function requireBatchIds(ids: readonly string[]): string[] {
  if (ids.length === 0) throw invalidArgument('ids', 'give at least one product id');
  if (ids.length > MAX_BATCH_IDS) throw invalidArgument('ids', `must have at most ${MAX_BATCH_IDS} entries`);
  const wanted = ids.map((id, i) => {
    const trimmed = id.trim();
    if (!isUuid(trimmed)) throw invalidArgument(`ids[${i}]`, 'must be a UUID');
    return trimmed.toLowerCase();
  });
  return [...new Set(wanted)];
}

/**
 * The products with these ids that the caller may see, in the order of first mention, and the ids
 * that matched none of them. One query whatever the number of ids.
 */
export async function batchGetProducts(
  source: ProductSource,
  ids: readonly string[],
  includeUnpublished: boolean,
): Promise<{ products: ProductView[]; missingIds: string[] }> {
  const unique = requireBatchIds(ids);
  const found = new Map(
    (await source.many(unique))
      .filter((view) => includeUnpublished || view.published)
      .map((view) => [view.id, view]),
  );
  return {
    products: unique.flatMap((id) => found.get(id) ?? []),
    missingIds: unique.filter((id) => !found.has(id)),
  };
}
