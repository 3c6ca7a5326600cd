import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ProductStatus,
  StockStatus,
  type Product as ProductMessage,
} from '../../../../gen/ecommerce/product/v1/product.js';
import { decimalToMinorUnits } from '../../../../lib/db/money-type.js';
import { isUuid } from '../../../../lib/ids.js';
import { dimensionsOf, gramsOf, type MeasureColumns } from './measures.js';

/** A product as callers see it (the proto message), plus whether shoppers may see it. */
export interface ProductView extends ProductMessage {
  published: boolean;
}

const STATUS: Record<string, ProductStatus> = {
  draft: ProductStatus.PRODUCT_STATUS_DRAFT,
  active: ProductStatus.PRODUCT_STATUS_ACTIVE,
  archived: ProductStatus.PRODUCT_STATUS_ARCHIVED,
};

const STOCK_STATUS: Record<string, StockStatus> = {
  in_stock: StockStatus.STOCK_STATUS_IN_STOCK,
  low_stock: StockStatus.STOCK_STATUS_LOW_STOCK,
  out_of_stock: StockStatus.STOCK_STATUS_OUT_OF_STOCK,
  backorder: StockStatus.STOCK_STATUS_BACKORDER,
};

// PGlite hands back Dates; MikroORM's node-postgres setup hands back timestamp strings.
type Timestamp = Date | string;
// json_agg columns come back parsed from node-postgres and as text from PGlite.
type Json<T> = T | string;

interface VariantRow extends MeasureColumns {
  id: string;
  sku: string;
  name: string;
  price: string | null;
  compare_at_price: string | null;
  attributes: Record<string, unknown>;
  image_url: string | null;
  available: number;
}

interface ImageRow {
  id: string;
  url: string;
  alt_text: string | null;
  is_primary: boolean;
}

export interface ProductRow extends MeasureColumns {
  id: string;
  sku: string;
  name: string;
  slug: string;
  description: string | null;
  short_description: string | null;
  price: string;
  compare_at_price: string | null;
  currency: string;
  status: string;
  stock_status: string;
  is_visible: boolean;
  rating_avg: string;
  rating_count: number;
  published_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  variants: Json<VariantRow[]>;
  images: Json<ImageRow[]>;
  tags: Json<string[]>;
  category_ids: Json<string[]>;
}

/**
 * The columns of a product view, for a query over `products p`. GetProduct is the hottest read of
 * the platform, so a view is one hand-written query rather than several ORM queries with entity
 * hydration (which cost ~10× more per call): the product, its active variants in display order with
 * the units available now over all locations, its images, tags and categories, each an indexed
 * subquery. Money leaves the database as text and becomes minor units without passing through a float.
 */
export const PRODUCT_VIEW_COLUMNS = `
  p.id, p.sku, p.name, p.slug, p.description, p.short_description, p.price::text AS price,
  p.compare_at_price::text AS compare_at_price, p.currency, p.status, p.stock_status, p.is_visible,
  p.rating_avg::text AS rating_avg, p.rating_count, p.published_at, p.created_at, p.updated_at,
  p.weight::text AS weight, p.length::text AS length, p.width::text AS width, p.height::text AS height,
  COALESCE((
    SELECT json_agg(json_build_object(
             'id', v.id, 'sku', v.sku, 'name', v.name, 'price', v.price::text,
             'compare_at_price', v.compare_at_price::text, 'attributes', v.attributes,
             'image_url', v.image_url, 'weight', v.weight::text, 'length', v.length::text,
             'width', v.width::text, 'height', v.height::text,
             'available', COALESCE((SELECT sum(i.available_quantity) FROM inventory i
                                     WHERE i.variant_id = v.id), 0))
           ORDER BY v.sort_order, v.created_at, v.id)
      FROM product_variants v
     WHERE v.product_id = p.id AND v.is_active), '[]') AS variants,
  COALESCE((
    SELECT json_agg(json_build_object('id', im.id, 'url', im.url, 'alt_text', im.alt_text,
                                      'is_primary', im.is_primary)
           ORDER BY im.is_primary DESC, im.sort_order, im.id)
      FROM product_images im
     WHERE im.product_id = p.id), '[]') AS images,
  COALESCE((SELECT json_agg(t.tag ORDER BY t.tag) FROM product_tags t WHERE t.product_id = p.id),
           '[]') AS tags,
  COALESCE((SELECT json_agg(pc.category_id ORDER BY pc.sort_order, pc.category_id)
              FROM product_categories pc WHERE pc.product_id = p.id), '[]') AS category_ids`;

const PRODUCT_VIEW_SQL = (where: string) => `SELECT ${PRODUCT_VIEW_COLUMNS} FROM products p WHERE ${where}`;

/** Loads a product with its variants and what can be bought of each now (all locations). */
export async function loadProductView(
  em: EntityManager,
  lookup: { id: string } | { slug: string },
): Promise<ProductView | undefined> {
  if ('id' in lookup && !isUuid(lookup.id)) return undefined;
  const [where, value] = 'id' in lookup ? ['p.id = ?', lookup.id] : ['p.slug = ?', lookup.slug];
  const [row] = await em.execute<ProductRow[]>(PRODUCT_VIEW_SQL(where), [value]);
  return row ? productViewOf(row) : undefined;
}

/** Loads the products with these ids (UUIDs) in one query, in no particular order. */
export async function loadProductViews(em: EntityManager, ids: readonly string[]): Promise<ProductView[]> {
  if (ids.length === 0) return [];
  const rows = await em.execute<ProductRow[]>(PRODUCT_VIEW_SQL('p.id = ANY(?::uuid[])'), [
    `{${ids.join(',')}}`,
  ]);
  return rows.map(productViewOf);
}

function parsed<T>(value: Json<T>): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function stringMap(attributes: Record<string, unknown> | null): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes ?? {})) {
    map[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return map;
}

/** A row of PRODUCT_VIEW_COLUMNS as the proto message. */
export function productViewOf(row: ProductRow): ProductView {
  const money = (amount: string) => ({
    currencyCode: row.currency,
    amountMinor: decimalToMinorUnits(amount),
  });
  const price = money(row.price);
  const weightGrams = gramsOf(row.weight);
  const dimensions = dimensionsOf(row);
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    slug: row.slug,
    description: row.description ?? '',
    shortDescription: row.short_description ?? '',
    price,
    compareAtPrice: row.compare_at_price === null ? undefined : money(row.compare_at_price),
    status: STATUS[row.status] ?? ProductStatus.PRODUCT_STATUS_UNSPECIFIED,
    stockStatus: STOCK_STATUS[row.stock_status] ?? StockStatus.STOCK_STATUS_UNSPECIFIED,
    variants: parsed(row.variants).map((variant) => ({
      id: variant.id,
      sku: variant.sku,
      name: variant.name,
      price: variant.price === null ? price : money(variant.price),
      availableQuantity: Math.max(0, Number(variant.available)),
      compareAtPrice: variant.compare_at_price === null ? undefined : money(variant.compare_at_price),
      attributes: stringMap(variant.attributes),
      imageUrl: variant.image_url ?? '',
      // A variant without a weight (or dimensions) of its own has its product's.
      weightGrams: variant.weight === null ? weightGrams : gramsOf(variant.weight),
      dimensions: dimensionsOf(variant) ?? dimensions,
    })),
    images: parsed(row.images).map((image) => ({
      id: image.id,
      url: image.url,
      altText: image.alt_text ?? '',
      primary: image.is_primary,
    })),
    tags: parsed(row.tags),
    categoryIds: parsed(row.category_ids),
    rating: { average: Number(row.rating_avg), count: row.rating_count },
    publishedAt: row.published_at === null ? undefined : new Date(row.published_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    visible: row.is_visible,
    weightGrams,
    dimensions,
    published: row.status === 'active' && row.is_visible,
  };
}
