import type { MikroORM } from '@mikro-orm/postgresql';
import { CartServiceService } from '../../../gen/ecommerce/cart/v1/cart.js';
import { allow } from '../../../lib/auth/access-rule.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import { cartOwnerOf, guestOwnerOf } from './domain/cart-owner.js';
import { addItem } from './domain/add-item.js';
import { type CartDeps } from './domain/cart-deps.js';
import { clearCart, removeItem, updateItemQuantity } from './domain/cart-lines.js';
import { applyCoupon, removeCoupon } from './domain/coupons.js';
import { getCart } from './domain/get-cart.js';
import { mergeCarts } from './domain/merge-carts.js';

/**
 * Every RPC but MergeCarts is public: a customer is known by the token, a guest by its session id
 * (cartOwnerOf), and each domain function reaches only that owner's carts.
 */
export function cartHandlers(orm: MikroORM, deps: CartDeps): ServiceHandlers<typeof CartServiceService> {
  return {
    getCart: {
      access: allow.public(),
      handle: async (request, ctx) =>
        getCart(orm.em.fork(), deps.catalog, cartOwnerOf(ctx.principal, request.sessionId), request.cartId),
    },
    addItem: {
      access: allow.public(),
      handle: async (request, ctx) => ({
        cart: await addItem(orm.em.fork(), deps, cartOwnerOf(ctx.principal, request.sessionId), request),
      }),
    },
    updateItemQuantity: {
      access: allow.public(),
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
      access: allow.public(),
      handle: async (request, ctx) => ({
        cart: await removeItem(orm.em.fork(), deps, cartOwnerOf(ctx.principal, request.sessionId), request),
      }),
    },
    clearCart: {
      access: allow.public(),
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
      access: allow.public(),
      handle: async (request, ctx) => ({
        cart: await applyCoupon(orm.em.fork(), deps, cartOwnerOf(ctx.principal, request.sessionId), request),
      }),
    },
    removeCoupon: {
      access: allow.public(),
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
      access: allow.authenticated(),
      handle: async (request, ctx) => {
        const { sessionId } = guestOwnerOf(request.sessionId);
        return mergeCarts(orm.em.fork(), deps, ctx.principal!.userId, sessionId);
      },
    },
  };
}
