import type { EntityManager } from '@mikro-orm/postgresql';
import { CatalogCheck, type GetCartResponse } from '../../../../gen/ecommerce/cart/v1/cart.js';
import { notFound } from '../../../../lib/errors.js';
import { changedLines } from './catalog-check.js';
import { isCatalogOutage, type Catalog } from './catalog.js';
import { owns, type CartOwner } from './cart-owner.js';
import { readCart } from './cart-store.js';
import { cartMessage } from './cart-view.js';
import { Violations } from '../../../../lib/validation/index.js';

/**
 * The cart (by id, or the caller's active one when cart_id is empty) and, for an active cart with
 * lines, the lines whose price or availability changed, from one catalog call. The product service
 * being unreachable does not fail the read: the snapshot is returned and the check says so.
 */
export async function getCart(
  em: EntityManager,
  catalog: Catalog,
  owner: CartOwner,
  cartId: string,
): Promise<GetCartResponse> {
  const check = new Violations();
  check.optionalUuid('cart_id', cartId);
  check.throwIfAny();
  const found = cartId === '' ? await readCart(em, { activeOf: owner }) : await readCart(em, { cartId });
  if (!found || !owns(owner, found.cart)) {
    throw cartId === '' ? notFound('active cart') : notFound('cart', cartId);
  }
  const cart = cartMessage(found.cart, found.lines);
  if (found.cart.status !== 'active' || found.lines.length === 0) {
    return { cart, catalogCheck: CatalogCheck.CATALOG_CHECK_NOT_NEEDED, changedLines: [] };
  }
  let products;
  try {
    products = await catalog.getProducts([...new Set(found.lines.map((line) => line.productId))]);
  } catch (error) {
    if (!isCatalogOutage(error)) throw error;
    return { cart, catalogCheck: CatalogCheck.CATALOG_CHECK_UNAVAILABLE, changedLines: [] };
  }
  return {
    cart,
    catalogCheck: CatalogCheck.CATALOG_CHECK_DONE,
    changedLines: changedLines(found.cart.currency, found.lines, products),
  };
}
