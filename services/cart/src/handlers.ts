import type { MikroORM } from '@mikro-orm/postgresql';
import { CartServiceService } from '../../../gen/ecommerce/cart/v1/cart.js';
import { allow } from '../../../lib/auth/access-rule.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import { cartOwnerOf } from './domain/cart-owner.js';
import { addItem, getCart } from './domain/carts.js';
import type { Catalog } from './domain/catalog.js';

export function cartHandlers(orm: MikroORM, catalog: Catalog): ServiceHandlers<typeof CartServiceService> {
  return {
    // Guests and customers alike: a customer is known by the token, a guest by its session id.
    getCart: {
      access: allow.public(),
      handle: async (request, ctx) => ({
        cart: await getCart(orm.em.fork(), cartOwnerOf(ctx.principal, request.sessionId), request.cartId),
      }),
    },
    addItem: {
      access: allow.public(),
      handle: async (request, ctx) => ({
        cart: await addItem(orm.em.fork(), catalog, cartOwnerOf(ctx.principal, request.sessionId), request),
      }),
    },
  };
}
