import type { EntityManager } from '@mikro-orm/postgresql';
import { ProductStatus, type Product } from '../../../../gen/ecommerce/product/v1/product.js';
import {
  WishlistProductStatus,
  type ListWishlistRequest,
  type ListWishlistResponse,
  type WishlistItem as WishlistItemMessage,
} from '../../../../gen/ecommerce/user/v1/user.js';
import { minorUnitsToDecimal, decimalToMinorUnits } from '../../../../lib/db/money-type.js';
import { failedPrecondition, invalidArgument, notFound } from '../../../../lib/errors.js';
import { requireUuid } from '../../../../lib/validation/index.js';
import { newId } from '../../../../lib/ids.js';
import { WishlistItem, type WishlistProductStatus as StatusName } from '../entities/wishlist-item.js';
import type { Catalog } from './catalog.js';
import { lockCustomer } from './customer.js';
import { keysetPageOf, pageFrom } from '../../../../lib/paging/index.js';

export const MAX_WISHLIST_ITEMS = 200;

const AVAILABILITY: Record<StatusName, WishlistProductStatus> = {
  available: WishlistProductStatus.WISHLIST_PRODUCT_STATUS_AVAILABLE,
  unavailable: WishlistProductStatus.WISHLIST_PRODUCT_STATUS_UNAVAILABLE,
};

export function availabilityOf(product: Pick<Product, 'status'>): StatusName {
  return product.status === ProductStatus.PRODUCT_STATUS_ACTIVE ? 'available' : 'unavailable';
}

function requireProductId(value: string): string {
  return requireUuid('product_id', value);
}

interface WishlistRow {
  id: string;
  product_id: string;
  product_name: string;
  product_slug: string;
  product_image_url: string | null;
  product_price: string;
  currency: string;
  product_status: StatusName;
  notes: string | null;
  created_at: Date | string;
}

function itemMessage(row: WishlistRow): WishlistItemMessage {
  return {
    productId: row.product_id,
    productName: row.product_name,
    productSlug: row.product_slug,
    productImageUrl: row.product_image_url ?? '',
    price: { currencyCode: row.currency, amountMinor: decimalToMinorUnits(String(row.product_price)) },
    availability: AVAILABILITY[row.product_status],
    notes: row.notes ?? '',
    addedAt: new Date(row.created_at),
  };
}

const COLUMNS = `id, product_id, product_name, product_slug, product_image_url, product_price::text AS product_price,
                 currency, product_status, notes, created_at`;

/** The product's main image, else its first one; null when it has none. */
function primaryImageUrlOf(product: Product): string | null {
  const image = product.images.find((candidate) => candidate.primary) ?? product.images[0];
  return image?.url || null;
}

async function findItem(
  em: EntityManager,
  userId: string,
  productId: string,
): Promise<WishlistRow | undefined> {
  const [row] = await em.execute<WishlistRow[]>(
    `SELECT ${COLUMNS} FROM wishlist_items WHERE user_id = ? AND product_id = ?`,
    [userId, productId],
  );
  return row;
}

/**
 * Puts the product on the wishlist after the product service confirms it is on sale (breaker-
 * guarded: UNAVAILABLE when it cannot answer, and nothing is written). Already there: the existing
 * item, unchanged, without asking the product service.
 */
export async function addWishlistItem(
  em: EntityManager,
  catalog: Catalog,
  userId: string,
  request: { productId: string; notes: string },
): Promise<WishlistItemMessage> {
  const productId = requireProductId(request.productId);
  const notes = request.notes.trim();
  if (notes.length > 500) throw invalidArgument('notes', 'must be at most 500 characters');
  const existing = await findItem(em, userId, productId);
  if (existing) return itemMessage(existing);

  const product = await catalog.getProduct(productId);
  if (!product.price) throw failedPrecondition(`product ${productId} has no price`);
  const price = product.price;
  const row = await em.transactional(async (tx) => {
    await lockCustomer(tx, userId);
    const again = await findItem(tx, userId, productId);
    if (again) return again;
    if ((await tx.count(WishlistItem, { userId })) >= MAX_WISHLIST_ITEMS)
      throw failedPrecondition(`a wishlist holds at most ${MAX_WISHLIST_ITEMS} products`);
    const [inserted] = await tx.execute<WishlistRow[]>(
      `INSERT INTO wishlist_items (id, user_id, product_id, product_name, product_slug, product_image_url,
                                   product_price, currency, product_status, product_updated_at, notes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       RETURNING ${COLUMNS}`,
      [
        newId(),
        userId,
        productId,
        product.name,
        product.slug,
        primaryImageUrlOf(product),
        minorUnitsToDecimal(price.amountMinor),
        price.currencyCode,
        availabilityOf(product),
        product.updatedAt ?? null,
        notes === '' ? null : notes,
      ],
    );
    return inserted!;
  });
  return itemMessage(row);
}

/** One page of the wishlist, newest first (UUIDv7 ids are time-ordered), in one query. */
export async function listWishlist(
  em: EntityManager,
  userId: string,
  request: ListWishlistRequest,
): Promise<ListWishlistResponse> {
  // The listing is the customer's own wishlist, bound to the customer: another's token is refused.
  const page = keysetPageOf(request.page, { wishlistOf: userId }, 'none');
  const rows = await em.execute<WishlistRow[]>(
    `SELECT ${COLUMNS} FROM wishlist_items
      WHERE user_id = ? ${page.after ? 'AND id < ?' : ''}
      ORDER BY id DESC LIMIT ?`,
    page.after ? [userId, page.after.id, page.size + 1] : [userId, page.size + 1],
  );
  const { rows: items, nextPageToken } = pageFrom(rows, page, (row) => ({ key: '', id: row.id }));
  return { items: items.map(itemMessage), page: { nextPageToken } };
}

export async function removeWishlistItem(
  em: EntityManager,
  userId: string,
  productId: string,
): Promise<void> {
  const deleted = await em.nativeDelete(WishlistItem, { userId, productId: requireProductId(productId) });
  if (deleted === 0) throw notFound('wishlist item for product', productId);
}

/**
 * product.product.updated: copies the product's name, slug, price and availability onto every
 * wishlist item of it, in one statement. Only a newer product version applies, so a repeat or an
 * event delivered after a later one changes nothing.
 */
export async function refreshWishlistFromProduct(
  em: EntityManager,
  product: Product,
  occurredAt: Date,
): Promise<void> {
  const version = product.updatedAt ?? occurredAt;
  const price = product.price;
  await em.execute(
    `UPDATE wishlist_items
        SET product_name = ?, product_slug = ?, product_image_url = ?, product_status = ?,
            product_price = coalesce(?::numeric, product_price), currency = coalesce(?, currency),
            product_updated_at = ?, updated_at = now()
      WHERE product_id = ? AND (product_updated_at IS NULL OR product_updated_at < ?)`,
    [
      product.name,
      product.slug,
      primaryImageUrlOf(product),
      availabilityOf(product),
      price ? minorUnitsToDecimal(price.amountMinor) : null,
      price ? price.currencyCode : null,
      version,
      product.id,
      version,
    ],
  );
}
