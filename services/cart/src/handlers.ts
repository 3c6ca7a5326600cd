import type { MikroORM } from '@mikro-orm/postgresql';
import { CartServiceService } from '../../../gen/ecommerce/cart/v1/cart.js';
import { allow } from '../../../lib/auth/access-rule.js';
import { accountIdOf } from '../../../lib/auth/principal.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import { cartOwnerOf, guestOwnerOf } from './domain/cart-owner.js';
import { addItem } from './domain/add-item.js';
import { type CartDeps } from './domain/cart-deps.js';
import { clearCart, removeItem, updateItemQuantity } from './domain/cart-lines.js';
import { applyCoupon, removeCoupon } from './domain/coupons.js';
import { getCart } from './domain/get-cart.js';
import { getCheckoutCart } from './domain/get-checkout-cart.js';
import { mergeCarts } from './domain/merge-carts.js';

/**
 * Every RPC but MergeCarts and GetCheckoutCart is open to guests and signed-in accounts (not to
 * platform services, which own no cart): a customer is known by the token, a guest by its session
 * id (cartOwnerOf), and each domain function reaches only that owner's carts. GetCheckoutCart is
 * the checkout's: a platform service names the owner it acts for in the request.
 */
export function cartHandlers(orm: MikroORM, deps: CartDeps): ServiceHandlers<typeof CartServiceService> {
  const shopper = allow.guestOrAccount();
  return {
    getCart: {
      access: shopper,
      handle: async (request, ctx) =>
        getCart(orm.em.fork(), deps.catalog, cartOwnerOf(ctx.principal, request.sessionId), request.cartId),
    },
    addItem: {
      access: shopper,
      handle: async (request, ctx) => ({
        cart: await addItem(orm.em.fork(), deps, cartOwnerOf(ctx.principal, request.sessionId), request),
      }),
    },
    updateItemQuantity: {
      access: shopper,
      handle: async (request, ctx) => ({
        cart: await updateItemQuantity(
          orm.em.fork(),
          deps,
          cartOwnerOf(ctx.principal, request.sessionId),
          request,
        ),
      }),
    },
    removeItem: {
      access: shopper,
      handle: async (request, ctx) => ({
        cart: await removeItem(orm.em.fork(), deps, cartOwnerOf(ctx.principal, request.sessionId), request),
      }),
    },
    clearCart: {
      access: shopper,
      handle: async (request, ctx) => ({
        cart: await clearCart(
          orm.em.fork(),
          deps,
          cartOwnerOf(ctx.principal, request.sessionId),
          request.cartId,
        ),
      }),
    },
    applyCoupon: {
      access: shopper,
      handle: async (request, ctx) => ({
        cart: await applyCoupon(orm.em.fork(), deps, cartOwnerOf(ctx.principal, request.sessionId), request),
      }),
    },
    removeCoupon: {
      access: shopper,
      handle: async (request, ctx) => ({
        cart: await removeCoupon(
          orm.em.fork(),
          deps,
          cartOwnerOf(ctx.principal, request.sessionId),
          request.cartId,
        ),
      }),
    },
    // A signed-in customer taking over the guest carts of the session id it presents.
    mergeCarts: {
      access: allow.account(),
      handle: async (request, ctx) => {
        const { sessionId } = guestOwnerOf(request.sessionId);
        return mergeCarts(orm.em.fork(), deps, accountIdOf(ctx.principal), sessionId);
      },
    },
    getCheckoutCart: {
      access: allow.internal(),
      handle: async (request) => ({ cart: await getCheckoutCart(orm.em.fork(), request) }),
    },
  };
}
