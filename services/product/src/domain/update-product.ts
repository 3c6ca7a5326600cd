import { optionalText, requireText, requireUuid } from '../../../../lib/validation/index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProductReason } from '../../../../lib/error-reasons.js';
import type { UpdateProductRequest, VariantChange } from '../../../../gen/ecommerce/product/v1/product.js';
import { failedPrecondition, invalidArgument, notFound } from '../../../../lib/errors.js';
import { minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import { requireThreshold } from './inventory/adjust-stock.js';
import { refreshStockStatus } from './inventory/stock-status.js';
import { ProductUpdatedEvent } from '../../../../lib/events/catalog.js';
import { announceProduct } from './announce.js';
import {
  MAX_VARIANTS,
  requireAttributes,
  requireCategoryIds,
  requireImages,
  requirePriceIn,
  requireTags,
} from './product-input.js';
import {
  clashFromViolation,
  insertVariant,
  refuseClashes,
  replaceCategories,
  replaceImages,
  replaceTags,
} from './product-parts.js';
import type { ProductView } from './product-view.js';
import { measureAssignments, newMeasureColumns } from './measures.js';
import { optionalUrl, requireSku, requireSlug, requireStock } from './validation.js';

/** Column → new value, for the fields the request sets. */
type Assignments = Array<[column: string, value: unknown]>;

function productAssignments(input: UpdateProductRequest, currency: string): Assignments {
  const set: Assignments = [];
  if (input.name !== undefined) set.push(['name', requireText('name', input.name, 300)]);
  if (input.slug !== undefined) set.push(['slug', requireSlug(input.slug, 'slug')]);
  if (input.description !== undefined)
    set.push(['description', optionalText('description', input.description, 10_000)]);
  if (input.shortDescription !== undefined)
    set.push(['short_description', optionalText('short_description', input.shortDescription, 500)]);
  if (input.price)
    set.push(['price', minorUnitsToDecimal(requirePriceIn(input.price, 'price', currency).amountMinor)]);
  if (input.compareAtPrice && input.clearCompareAtPrice) {
    throw invalidArgument('clear_compare_at_price', 'cannot be set together with compare_at_price');
  }
  if (input.compareAtPrice) {
    const money = requirePriceIn(input.compareAtPrice, 'compare_at_price', currency);
    set.push(['compare_at_price', minorUnitsToDecimal(money.amountMinor)]);
  }
  if (input.clearCompareAtPrice) set.push(['compare_at_price', null]);
  if (input.visible !== undefined) set.push(['is_visible', input.visible]);
  set.push(...measureAssignments(input, ''));
  return set;
}

function variantAssignments(change: VariantChange, field: string, currency: string): Assignments {
  const set: Assignments = [];
  if (change.sku !== undefined) set.push(['sku', requireSku(change.sku, `${field}.sku`)]);
  if (change.name !== undefined) set.push(['name', requireText(`${field}.name`, change.name, 200)]);
  if (change.price) {
    set.push([
      'price',
      minorUnitsToDecimal(requirePriceIn(change.price, `${field}.price`, currency).amountMinor),
    ]);
  }
  if (change.compareAtPrice) {
    const money = requirePriceIn(change.compareAtPrice, `${field}.compare_at_price`, currency);
    set.push(['compare_at_price', minorUnitsToDecimal(money.amountMinor)]);
  }
  if (Object.keys(change.attributes).length > 0) {
    set.push(['attributes', JSON.stringify(requireAttributes(change.attributes, `${field}.attributes`))]);
  }
  if (change.imageUrl !== undefined)
    set.push(['image_url', optionalUrl(change.imageUrl, `${field}.image_url`)]);
  if (change.active !== undefined) set.push(['is_active', change.active]);
  set.push(...measureAssignments(change, field));
  return set;
}

async function update(em: EntityManager, table: string, id: string, set: Assignments): Promise<void> {
  if (set.length === 0) return;
  const columns = set.map(([column]) => (column === 'attributes' ? `${column} = ?::jsonb` : `${column} = ?`));
  await em.execute(
    `UPDATE ${table} SET ${columns.join(', ')}, updated_at = now() WHERE id = ?`,
    [...set.map(([, value]) => value), id],
    'run',
  );
}

async function applyVariantChanges(
  em: EntityManager,
  productId: string,
  currency: string,
  changes: readonly VariantChange[],
  defaultThreshold: number,
): Promise<void> {
  const existing = await em.execute<{ id: string; sort_order: number }[]>(
    'SELECT id, sort_order FROM product_variants WHERE product_id = ?',
    [productId],
  );
  const ours = new Set(existing.map((row) => row.id));
  const thresholds = new Map<string, number>();
  let nextSortOrder = Math.max(-1, ...existing.map((row) => row.sort_order)) + 1;
  for (const [i, change] of changes.entries()) {
    const field = `variants[${i}]`;
    if (change.id.trim() === '') {
      if (change.sku === undefined) throw invalidArgument(`${field}.sku`, 'is required for a new variant');
      if (change.name === undefined) throw invalidArgument(`${field}.name`, 'is required for a new variant');
      const threshold =
        change.lowStockThreshold === undefined
          ? defaultThreshold
          : requireThreshold(change.lowStockThreshold, `${field}.low_stock_threshold`);
      await insertVariant(
        em,
        productId,
        currency,
        {
          sku: requireSku(change.sku, `${field}.sku`),
          name: requireText(`${field}.name`, change.name, 200),
          price: change.price ? requirePriceIn(change.price, `${field}.price`, currency) : null,
          compareAtPrice: change.compareAtPrice
            ? requirePriceIn(change.compareAtPrice, `${field}.compare_at_price`, currency)
            : null,
          attributes: requireAttributes(change.attributes, `${field}.attributes`),
          imageUrl: optionalUrl(change.imageUrl ?? '', `${field}.image_url`),
          initialStock: requireStock(change.initialStock, `${field}.initial_stock`),
          lowStockThreshold: threshold,
          measures: newMeasureColumns(change, field),
        },
        nextSortOrder++,
      );
      continue;
    }
    const id = requireUuid(`${field}.id`, change.id);
    if (!ours.has(id)) throw notFound('variant', `${id} of product ${productId} (${field}.id)`);
    await update(em, 'product_variants', id, variantAssignments(change, field, currency));
    if (change.lowStockThreshold !== undefined) {
      thresholds.set(id, requireThreshold(change.lowStockThreshold, `${field}.low_stock_threshold`));
    }
  }
  await setStockThresholds(em, thresholds);
}

/**
 * Sets the low-stock threshold of every stock row of these variants, their rows locked first in
 * the order of every stock change (variant, location): a commit (CommitReservation) takes no
 * product lock, only its stock rows in that order, so rows locked in another order here could
 * deadlock with it.
 */
async function setStockThresholds(em: EntityManager, thresholds: ReadonlyMap<string, number>): Promise<void> {
  if (thresholds.size === 0) return;
  const variantIds = `{${[...thresholds.keys()].join(',')}}`;
  await em.execute(
    'SELECT id FROM inventory WHERE variant_id = ANY(?::uuid[]) ORDER BY variant_id, location FOR UPDATE',
    [variantIds],
  );
  await em.execute(
    `UPDATE inventory i SET low_stock_threshold = c.threshold
       FROM (SELECT unnest(?::uuid[]) AS variant_id, unnest(?::int[]) AS threshold) c
      WHERE i.variant_id = c.variant_id`,
    [variantIds, `{${[...thresholds.values()].join(',')}}`],
    'run',
  );
}

/**
 * Changes the fields the request sets, and the variants it lists, in one transaction that emits
 * `product.product.updated`. An archived product is no longer edited. A variant added with stock,
 * or one (de)activated, changes what can be bought: the stock status is set again in the same
 * transaction (the product row is locked first, as by every stock change).
 */
export async function updateProduct(
  em: EntityManager,
  input: UpdateProductRequest,
  defaultThreshold: number,
): Promise<ProductView> {
  const productId = requireUuid('product_id', input.productId);
  if (input.variants.length > MAX_VARIANTS) {
    throw invalidArgument('variants', `must have at most ${MAX_VARIANTS} entries`);
  }
  const images = input.images ? requireImages(input.images.images, 'images.images') : undefined;
  const tags = input.tags ? requireTags(input.tags.values, 'tags.values') : undefined;
  const categoryIds = input.categoryIds
    ? requireCategoryIds(input.categoryIds.values, 'category_ids.values')
    : undefined;

  try {
    return await em.transactional(async (tx) => {
      const [product] = await tx.execute<{ status: string; currency: string }[]>(
        'SELECT status, currency FROM products WHERE id = ? FOR UPDATE',
        [productId],
      );
      if (!product) throw notFound('product', productId);
      if (product.status === 'archived')
        throw failedPrecondition(`product ${productId} is archived`, ProductReason.PRODUCT_ARCHIVED, {
          product_id: productId,
        });
      const set = productAssignments(input, product.currency);
      const slug = set.find(([column]) => column === 'slug')?.[1] as string | undefined;
      const variantSkus = input.variants.flatMap((change) =>
        change.sku === undefined ? [] : [change.sku.trim()],
      );
      await refuseClashes(tx, { slug, variantSkus, productId });
      await update(tx, 'products', productId, set);
      await applyVariantChanges(tx, productId, product.currency, input.variants, defaultThreshold);
      if (images) await replaceImages(tx, productId, images);
      if (tags) await replaceTags(tx, productId, tags);
      if (categoryIds) await replaceCategories(tx, productId, categoryIds, 'category_ids.values');
      await refreshStockStatus(tx, [productId], defaultThreshold);
      // Children changed without a product column changing still make the product "updated".
      await tx.execute('UPDATE products SET updated_at = now() WHERE id = ?', [productId], 'run');
      return await announceProduct(tx, ProductUpdatedEvent, productId);
    });
  } catch (error) {
    throw clashFromViolation(error);
  }
}
