import { requireUuid } from '../../../../lib/validation/index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ProductSort,
  ProductStatus,
  type ListProductsRequest,
} from '../../../../gen/ecommerce/product/v1/product.js';
import { invalidArgument } from '../../../../lib/errors.js';
import { minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import { requireMoney } from '../../../../lib/money.js';
import { keysetPageOf, pageFrom, pageSizeOf } from '../../../../lib/paging/index.js';
import { PRODUCT_VIEW_COLUMNS, productViewOf, type ProductRow, type ProductView } from './product-view.js';

/** A listing request, validated and normalised (also the cache key and the token's binding). */
export interface Listing {
  categoryId: string | null;
  tag: string | null;
  currency: string | null;
  minPrice: number | null;
  maxPrice: number | null;
  inStock: boolean;
  query: string | null;
  sort: 'newest' | 'price_asc' | 'price_desc' | 'rating';
  /** null: published products (shoppers); otherwise that status (editors). */
  status: 'draft' | 'active' | 'archived' | null;
  pageSize: number;
  pageToken: string;
}

const SORTS: Record<ProductSort, Listing['sort']> = {
  [ProductSort.PRODUCT_SORT_UNSPECIFIED]: 'newest',
  [ProductSort.PRODUCT_SORT_NEWEST]: 'newest',
  [ProductSort.PRODUCT_SORT_PRICE_ASC]: 'price_asc',
  [ProductSort.PRODUCT_SORT_PRICE_DESC]: 'price_desc',
  [ProductSort.PRODUCT_SORT_RATING]: 'rating',
  [ProductSort.UNRECOGNIZED]: 'newest',
};

const STATUSES: Partial<Record<ProductStatus, Listing['status']>> = {
  [ProductStatus.PRODUCT_STATUS_DRAFT]: 'draft',
  [ProductStatus.PRODUCT_STATUS_ACTIVE]: 'active',
  [ProductStatus.PRODUCT_STATUS_ARCHIVED]: 'archived',
};

/** Sort column, direction, and the column's value as the cursor keeps it. */
const ORDER: Record<
  Listing['sort'],
  { column: string; direction: 'ASC' | 'DESC'; cast: 'timestamptz' | 'numeric'; key: 'timestamp' | 'decimal' }
> = {
  newest: { column: 'p.created_at', direction: 'DESC', cast: 'timestamptz', key: 'timestamp' },
  price_asc: { column: 'p.price', direction: 'ASC', cast: 'numeric', key: 'decimal' },
  price_desc: { column: 'p.price', direction: 'DESC', cast: 'numeric', key: 'decimal' },
  rating: { column: 'p.rating_avg', direction: 'DESC', cast: 'numeric', key: 'decimal' },
};

export function requireListing(request: ListProductsRequest): Listing {
  if (request.sort === ProductSort.UNRECOGNIZED || !(request.sort in SORTS)) {
    throw invalidArgument('sort', 'is not a known sort order');
  }
  const status =
    request.status === ProductStatus.PRODUCT_STATUS_UNSPECIFIED ? null : STATUSES[request.status];
  if (status === undefined) throw invalidArgument('status', 'is not a known product status');
  const tag = request.tag.trim().toLowerCase();
  if (tag.length > 50) throw invalidArgument('tag', 'must be at most 50 characters');
  const query = request.query.trim();
  if (query.length > 200) throw invalidArgument('query', 'must be at most 200 characters');
  const min = request.minPrice ? requireMoney(request.minPrice, 'min_price') : null;
  const max = request.maxPrice ? requireMoney(request.maxPrice, 'max_price') : null;
  if (min && max && min.currencyCode !== max.currencyCode) {
    throw invalidArgument('max_price.currency_code', 'must be the currency of min_price');
  }
  if (min && max && min.amountMinor > max.amountMinor) {
    throw invalidArgument('max_price.amount_minor', 'must not be below min_price');
  }
  return {
    categoryId: request.categoryId.trim() === '' ? null : requireUuid('category_id', request.categoryId),
    tag: tag === '' ? null : tag,
    currency: (min ?? max)?.currencyCode ?? null,
    minPrice: min?.amountMinor ?? null,
    maxPrice: max?.amountMinor ?? null,
    inStock: request.inStock,
    query: query === '' ? null : query,
    sort: SORTS[request.sort],
    status,
    pageSize: pageSizeOf(request.page?.pageSize),
    pageToken: request.page?.pageToken ?? '',
  };
}

export interface ProductPage {
  products: ProductView[];
  nextPageToken: string;
}

/**
 * One page of a listing in one query: the filters as EXISTS subqueries, full-text search on the
 * generated `search_vector` (GIN index), keyset paging on (sort column, id) so that a page costs the
 * same at any depth, and the product views of the page's rows in the same statement.
 */
export async function listProducts(em: EntityManager, listing: Listing): Promise<ProductPage> {
  const { pageSize, pageToken, ...filters } = listing;
  const order = ORDER[listing.sort];
  const page = keysetPageOf({ pageSize, pageToken }, filters, order.key);
  const cursor = page.after;

  const where: string[] = [];
  const params: unknown[] = [];
  if (listing.status === null) where.push(`p.status = 'active' AND p.is_visible`);
  else {
    where.push('p.status = ?');
    params.push(listing.status);
  }
  if (listing.categoryId) {
    where.push(`EXISTS (SELECT 1 FROM product_categories pc JOIN categories c ON c.id = pc.category_id
                         WHERE pc.product_id = p.id AND c.is_active
                           AND c.path LIKE (SELECT path || '%' FROM categories WHERE id = ?))`);
    params.push(listing.categoryId);
  }
  if (listing.tag) {
    where.push('EXISTS (SELECT 1 FROM product_tags t WHERE t.product_id = p.id AND t.tag = ?)');
    params.push(listing.tag);
  }
  if (listing.currency) {
    where.push('p.currency = ?');
    params.push(listing.currency);
  }
  if (listing.minPrice !== null) {
    where.push('p.price >= ?::numeric');
    params.push(minorUnitsToDecimal(listing.minPrice));
  }
  if (listing.maxPrice !== null) {
    where.push('p.price <= ?::numeric');
    params.push(minorUnitsToDecimal(listing.maxPrice));
  }
  if (listing.inStock) {
    // stock_status is set in the transaction of every stock change: out_of_stock exactly when no
    // active variant has a unit available (inventory/stock-status.ts). Only a product marked
    // backorder, which the service leaves alone, is looked up in its stock.
    where.push(`(p.stock_status IN ('in_stock', 'low_stock')
                 OR (p.stock_status = 'backorder'
                     AND EXISTS (SELECT 1 FROM inventory i JOIN product_variants v ON v.id = i.variant_id
                                  WHERE i.product_id = p.id AND v.is_active AND i.available_quantity > 0)))`);
  }
  if (listing.query) {
    where.push(`p.search_vector @@ websearch_to_tsquery('english', ?)`);
    params.push(listing.query);
  }
  if (cursor) {
    const comparison = order.direction === 'ASC' ? '>' : '<';
    where.push(`(${order.column}, p.id) ${comparison} (?::${order.cast}, ?::uuid)`);
    params.push(cursor.key, cursor.id);
  }
  const rows = await em.execute<(ProductRow & { sort_key: string })[]>(
    `SELECT ${PRODUCT_VIEW_COLUMNS}, ${order.column}::text AS sort_key
       FROM products p
      WHERE ${where.join(' AND ')}
      ORDER BY ${order.column} ${order.direction}, p.id ${order.direction}
      LIMIT ${page.size + 1}`,
    params,
  );
  const shown = pageFrom(rows, page, (row) => ({ key: row.sort_key, id: row.id }));
  return { products: shown.rows.map(productViewOf), nextPageToken: shown.nextPageToken };
}
