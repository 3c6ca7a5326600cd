import { status } from '@grpc/grpc-js';
import { ProductReason } from '../../../../lib/error-reasons.js';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { alreadyExists, AppError } from '../../../../lib/errors.js';
import { minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import type { Money } from '../../../../lib/money.js';
import { DEFAULT_LOCATION } from './inventory/locations.js';
import type { ValidImage } from './product-input.js';
import type { MeasureColumns } from './measures.js';

/** The rows around a product (variants with their stock, images, tags, categories), written in SQL. */

export interface ValidVariant {
  sku: string;
  name: string;
  price: Money | null;
  compareAtPrice: Money | null;
  attributes: Record<string, string>;
  imageUrl: string | null;
  initialStock: number;
  lowStockThreshold: number;
  /** Its own weight and size; null columns: the product's. */
  measures: MeasureColumns;
}

const decimal = (money: Money | null) => (money === null ? null : minorUnitsToDecimal(money.amountMinor));

/** Inserts a variant and its opening stock at the default location. */
export async function insertVariant(
  em: EntityManager,
  productId: string,
  currency: string,
  variant: ValidVariant,
  sortOrder: number,
): Promise<string> {
  const id = newId();
  await em.execute(
    `INSERT INTO product_variants (id, product_id, sku, name, price, compare_at_price, currency, attributes, image_url,
                                   sort_order, weight, length, width, height)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      productId,
      variant.sku,
      variant.name,
      decimal(variant.price),
      decimal(variant.compareAtPrice),
      currency,
      JSON.stringify(variant.attributes),
      variant.imageUrl,
      sortOrder,
      variant.measures.weight,
      variant.measures.length,
      variant.measures.width,
      variant.measures.height,
    ],
    'run',
  );
  await em.execute(
    `INSERT INTO inventory (id, product_id, variant_id, location, quantity, low_stock_threshold, last_restocked_at)
     VALUES (?, ?, ?, ?, ?, ?, CASE WHEN ? > 0 THEN now() END)`,
    [
      newId(),
      productId,
      id,
      DEFAULT_LOCATION,
      variant.initialStock,
      variant.lowStockThreshold,
      variant.initialStock,
    ],
    'run',
  );
  return id;
}

export async function replaceImages(em: EntityManager, productId: string, images: readonly ValidImage[]) {
  await em.execute('DELETE FROM product_images WHERE product_id = ?', [productId], 'run');
  for (const image of images) {
    await em.execute(
      `INSERT INTO product_images (id, product_id, url, alt_text, sort_order, is_primary) VALUES (?, ?, ?, ?, ?, ?)`,
      [newId(), productId, image.url, image.altText, image.sortOrder, image.primary],
      'run',
    );
  }
}

export async function replaceTags(em: EntityManager, productId: string, tags: readonly string[]) {
  await em.execute('DELETE FROM product_tags WHERE product_id = ?', [productId], 'run');
  for (const tag of tags) {
    await em.execute(
      'INSERT INTO product_tags (id, product_id, tag) VALUES (?, ?, ?)',
      [newId(), productId, tag],
      'run',
    );
  }
}

/** Puts the product in exactly these categories, which must exist (FAILED_PRECONDITION naming the first that does not). */
export async function replaceCategories(
  em: EntityManager,
  productId: string,
  categoryIds: readonly string[],
  field: string,
) {
  if (categoryIds.length > 0) {
    const rows = await em.execute<{ id: string }[]>('SELECT id FROM categories WHERE id = ANY(?::uuid[])', [
      `{${categoryIds.join(',')}}`,
    ]);
    const known = new Set(rows.map((row) => row.id));
    const index = categoryIds.findIndex((id) => !known.has(id));
    if (index >= 0) {
      const description = `category ${categoryIds[index]} does not exist`;
      throw new AppError(
        status.FAILED_PRECONDITION,
        `${field}[${index}]: ${description}`,
        [{ field: `${field}[${index}]`, description }],
        { reason: ProductReason.UNKNOWN_CATEGORY, metadata: { category_id: categoryIds[index]! } },
      );
    }
  }
  await em.execute('DELETE FROM product_categories WHERE product_id = ?', [productId], 'run');
  for (const [sortOrder, categoryId] of categoryIds.entries()) {
    await em.execute(
      'INSERT INTO product_categories (id, product_id, category_id, sort_order) VALUES (?, ?, ?, ?)',
      [newId(), productId, categoryId, sortOrder],
      'run',
    );
  }
}

/**
 * The first unique value already taken by another product (slug, product SKU, variant SKU), as
 * ALREADY_EXISTS naming it; checked before writing so the answer names the clash precisely.
 */
export async function refuseClashes(
  em: EntityManager,
  wanted: { slug?: string; sku?: string; variantSkus?: string[]; productId?: string },
): Promise<void> {
  const other = wanted.productId ?? '00000000-0000-0000-0000-000000000000';
  const [clash] = await em.execute<{ what: string; value: string }[]>(
    `SELECT 'slug' AS what, slug AS value FROM products WHERE slug = ? AND id <> ?
     UNION ALL SELECT 'SKU', sku FROM products WHERE sku = ? AND id <> ?
     UNION ALL SELECT 'variant SKU', sku FROM product_variants WHERE sku = ANY(?::text[]) AND product_id <> ?
     LIMIT 1`,
    [
      wanted.slug ?? null,
      other,
      wanted.sku ?? null,
      other,
      `{${(wanted.variantSkus ?? []).map((sku) => `"${sku}"`).join(',')}}`,
      other,
    ],
  );
  if (clash)
    throw alreadyExists(
      'product',
      `${clash.what} ${clash.value} is taken`,
      clash.what === 'slug' ? ProductReason.SLUG_TAKEN : ProductReason.SKU_TAKEN,
    );
}

/** A unique violation that raced past `refuseClashes`, named from the database's message. */
export function clashFromViolation(error: unknown): unknown {
  if (!(error instanceof UniqueConstraintViolationException)) return error;
  const text = error.message;
  const value = /\((?:sku|slug)\)=\(([^)]*)\)/.exec(text)?.[1] ?? 'a value';
  if (text.includes('products_slug_unique'))
    return alreadyExists('product', `slug ${value} is taken`, ProductReason.SLUG_TAKEN);
  if (text.includes('product_variants_sku_unique'))
    return alreadyExists('product', `variant SKU ${value} is taken`, ProductReason.SKU_TAKEN);
  if (text.includes('products_sku_unique'))
    return alreadyExists('product', `SKU ${value} is taken`, ProductReason.SKU_TAKEN);
  return error;
}
