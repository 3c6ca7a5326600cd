import type { EntityManager } from '@mikro-orm/postgresql';
import {
  CouponCheck,
  type ApplyCouponResponse,
  type Cart as CartMessage,
} from '../../../../gen/ecommerce/cart/v1/cart.js';
import type { Product } from '../../../../gen/ecommerce/product/v1/product.js';
import { Violations } from '../../../../lib/validation/index.js';
import type { CartDeps } from './cart-deps.js';
import { requireOwn, type CartOwner } from './cart-owner.js';
import { assertWritable } from './cart-status.js';
import { readCart, type CartRecord, type LineRecord } from './cart-store.js';
import { changeCart } from './change-cart.js';
import { isDependencyOutage } from './dependency-outage.js';
import { pricingLinesOf } from './pricing-lines.js';

const COUPON_CODE = /^[A-Za-z0-9_-]{3,32}$/;

/**
 * Asks the discount service whether the coupon can be used for this cart: its currency, its lines
 * with their categories (one catalog call), its owner. A refusal is thrown as the discount service
 * gave it (NOT_FOUND, FAILED_PRECONDITION with its reason). When the catalog or the discount
 * service cannot answer, the code could not be checked: UNAVAILABLE, and it is stored anyway.
 */
async function checkCoupon(
  deps: CartDeps,
  cart: CartRecord,
  lines: readonly LineRecord[],
  code: string,
): Promise<CouponCheck> {
  try {
    const products =
      lines.length === 0
        ? new Map<string, Product>()
        : await deps.catalog.getProducts([...new Set(lines.map((line) => line.productId))]);
    await deps.discounts.checkCoupon({
      code,
      currency: cart.currency,
      customerId: cart.userId,
      lines: pricingLinesOf(lines, products),
    });
    return CouponCheck.COUPON_CHECK_ACCEPTED;
  } catch (error) {
    if (!isDependencyOutage(error)) throw error;
    return CouponCheck.COUPON_CHECK_UNAVAILABLE;
  }
}

/**
 * Applies a coupon code, upper-cased, replacing any: checked by the discount service first (outside
 * the transaction), stored only when accepted or when it could not be checked. A refused code
 * changes nothing, so the coupon applied before stays.
 */
export async function applyCoupon(
  em: EntityManager,
  deps: CartDeps,
  owner: CartOwner,
  input: { cartId: string; couponCode: string },
): Promise<ApplyCouponResponse> {
  const check = new Violations();
  check.uuid('cart_id', input.cartId);
  const trimmed = input.couponCode.trim();
  if (trimmed === '') check.add('coupon_code', 'is required');
  else if (!COUPON_CODE.test(trimmed))
    check.add('coupon_code', 'must be 3-32 characters of letters, digits, _ or -');
  check.throwIfAny();
  const code = trimmed.toUpperCase();

  // Only the owner of a cart that can change gets the code judged.
  const found = await readCart(em, { cartId: input.cartId });
  const cart = requireOwn(owner, found?.cart, input.cartId);
  assertWritable(cart);
  const couponCheck = await checkCoupon(deps, cart, found!.lines, code);

  const saved = await changeCart(em, deps.idleExpiryMs, owner, input.cartId, async (_tx, locked, lines) => {
    locked.couponCode = code;
    return lines;
  });
  return { cart: saved, couponCheck };
}

export async function removeCoupon(
  em: EntityManager,
  deps: CartDeps,
  owner: CartOwner,
  cartId: string,
): Promise<CartMessage> {
  const check = new Violations();
  check.uuid('cart_id', cartId);
  check.throwIfAny();
  return changeCart(em, deps.idleExpiryMs, owner, cartId, async (_tx, cart, lines) => {
    cart.couponCode = null;
    return lines;
  });
}
