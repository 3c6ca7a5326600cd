import type { EntityManager } from '@mikro-orm/postgresql';
import type { Cart as CartMessage } from '../../../../gen/ecommerce/cart/v1/cart.js';
import type { CartDeps } from './cart-deps.js';
import type { CartOwner } from './cart-owner.js';
import { changeCart } from './change-cart.js';
import { Violations } from '../../../../lib/validation/index.js';

const COUPON_CODE = /^[A-Za-z0-9_-]{3,32}$/;

/** Stores a coupon code (format only: the discount service validates it at checkout), replacing any. */
export async function applyCoupon(
  em: EntityManager,
  deps: CartDeps,
  owner: CartOwner,
  input: { cartId: string; couponCode: string },
): Promise<CartMessage> {
  const check = new Violations();
  check.uuid('cart_id', input.cartId);
  const code = input.couponCode.trim();
  if (code === '') check.add('coupon_code', 'is required');
  else if (!COUPON_CODE.test(code))
    check.add('coupon_code', 'must be 3-32 characters of letters, digits, _ or -');
  check.throwIfAny();
  return changeCart(em, deps.idleExpiryMs, owner, input.cartId, async (_tx, cart, lines) => {
    cart.couponCode = code.toUpperCase();
    return lines;
  });
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
