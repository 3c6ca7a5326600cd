import type { EntityManager } from '@mikro-orm/postgresql';
import { CatalogCheck, PricingCheck, type GetCartResponse } from '../../../../gen/ecommerce/cart/v1/cart.js';
import { notFound } from '../../../../lib/errors.js';
import { Violations } from '../../../../lib/validation/index.js';
import type { CartDeps } from './cart-deps.js';
import { owns, type CartOwner } from './cart-owner.js';
import { priceCart, unpriced } from './cart-pricing.js';
import { readCart } from './cart-store.js';
import { cartMessage } from './cart-view.js';
import { changedLines } from './catalog-check.js';
import { isDependencyOutage } from './dependency-outage.js';

/**
 * The cart (by id, or the caller's active one when cart_id is empty) and, for an active cart with
 * lines, the lines whose price or availability changed, from one catalog call, then its discounts,
 * from one discount call given the categories of that catalog answer. Neither service being
 * unreachable fails the read: the snapshot is returned and the checks say what could not be made
 * (without the catalog, the lines' categories are unknown, so the cart is not priced either).
 */
export async function getCart(
  em: EntityManager,
  deps: Pick<CartDeps, 'catalog' | 'discounts'>,
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
    return {
      cart,
      catalogCheck: CatalogCheck.CATALOG_CHECK_NOT_NEEDED,
      changedLines: [],
      ...unpriced(PricingCheck.PRICING_CHECK_NOT_NEEDED, found.cart),
    };
  }
  let products;
  try {
    products = await deps.catalog.getProducts([...new Set(found.lines.map((line) => line.productId))]);
  } catch (error) {
    if (!isDependencyOutage(error)) throw error;
    return {
      cart,
      catalogCheck: CatalogCheck.CATALOG_CHECK_UNAVAILABLE,
      changedLines: [],
      ...unpriced(PricingCheck.PRICING_CHECK_UNAVAILABLE, found.cart),
    };
  }
  return {
    cart,
    catalogCheck: CatalogCheck.CATALOG_CHECK_DONE,
    changedLines: changedLines(found.cart.currency, found.lines, products),
    ...(await priceCart(deps.discounts, found.cart, found.lines, products)),
  };
}
