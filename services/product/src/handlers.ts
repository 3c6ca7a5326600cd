import type { MikroORM } from '@mikro-orm/postgresql';
import { ProductServiceService } from '../../../gen/ecommerce/product/v1/product.js';
import { allow } from '../../../lib/auth/access-rule.js';
import { hasPermission } from '../../../lib/auth/principal.js';
import { invalidArgument } from '../../../lib/errors.js';
import type { CallContext, ServiceHandlers } from '../../../lib/grpc/index.js';
import { batchGetProducts, createProduct, getProduct } from './domain/catalog.js';
import type { ProductView } from './domain/product-view.js';

export const CATALOG_WRITE = 'product:write';

function toProduct({ published: _published, ...product }: ProductView) {
  return product;
}

function toMessage(view: ProductView) {
  return { product: toProduct(view) };
}

/** Catalog editors see drafts and archived products; shoppers only what is published. */
function isEditor(ctx: CallContext): boolean {
  return ctx.principal !== undefined && hasPermission(ctx.principal, CATALOG_WRITE);
}

export function productHandlers(orm: MikroORM): ServiceHandlers<typeof ProductServiceService> {
  return {
    createProduct: {
      access: allow.permission(CATALOG_WRITE),
      handle: async (request) => toMessage(await createProduct(orm.em.fork(), request)),
    },
    getProduct: {
      access: allow.public(),
      async handle(request, ctx) {
        const lookup = request.lookup;
        if (!lookup || lookup.value.trim() === '')
          throw invalidArgument('lookup', 'give a product id or a slug');
        const key = lookup.$case === 'id' ? { id: lookup.value.trim() } : { slug: lookup.value.trim() };
        return toMessage(await getProduct(orm.em.fork(), key, isEditor(ctx)));
      },
    },
    batchGetProducts: {
      access: allow.public(),
      async handle(request, ctx) {
        const { products, missingIds } = await batchGetProducts(orm.em.fork(), request.ids, isEditor(ctx));
        return { products: products.map(toProduct), missingIds };
      },
    },
  };
}
