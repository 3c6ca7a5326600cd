import { ProductServiceService } from '../../../../gen/ecommerce/product/v1/product.js';
import { allow } from '../../../../lib/auth/access-rule.js';
import { permissionDenied } from '../../../../lib/errors.js';
import type { ServiceHandlers } from '../../../../lib/grpc/index.js';
import { batchGetProducts, databaseProducts, getProduct, requireLookup } from '../domain/catalog.js';
import { createProduct } from '../domain/create-product.js';
import { listProducts, requireListing, type ProductPage } from '../domain/list-products.js';
import { changeProductStatus } from '../domain/product-status.js';
import { updateProduct } from '../domain/update-product.js';
import { CATALOG_WRITE, isEditor, toProduct, type HandlerDeps } from './context.js';

type Handlers = ServiceHandlers<typeof ProductServiceService>;
type CatalogHandlers = Pick<
  Handlers,
  | 'createProduct'
  | 'updateProduct'
  | 'publishProduct'
  | 'archiveProduct'
  | 'getProduct'
  | 'batchGetProducts'
  | 'listProducts'
>;

export function catalogHandlers({ orm, cache, cachedReads, settings }: HandlerDeps): CatalogHandlers {
  // A write is visible to this process's next read at once; other replicas hear the event.
  const changed = <T extends { id: string }>(view: T): T => {
    cache.invalidate(view.id);
    return view;
  };
  return {
    createProduct: {
      access: allow.permission(CATALOG_WRITE),
      handle: async (request) => ({
        product: toProduct(changed(await createProduct(orm.em.fork(), request, settings.lowStockThreshold))),
      }),
    },
    updateProduct: {
      access: allow.permission(CATALOG_WRITE),
      handle: async (request) => ({
        product: toProduct(changed(await updateProduct(orm.em.fork(), request, settings.lowStockThreshold))),
      }),
    },
    publishProduct: {
      access: allow.permission(CATALOG_WRITE),
      handle: async (request) => ({
        product: toProduct(changed((await changeProductStatus(orm.em.fork(), request, 'active')).view)),
      }),
    },
    archiveProduct: {
      access: allow.permission(CATALOG_WRITE),
      handle: async (request) => ({
        product: toProduct(changed((await changeProductStatus(orm.em.fork(), request, 'archived')).view)),
      }),
    },
    getProduct: {
      access: allow.public(),
      async handle(request, ctx) {
        const editor = isEditor(ctx);
        const source = editor ? databaseProducts : cachedReads;
        return {
          product: toProduct(await getProduct(orm.em.fork(), source, requireLookup(request.lookup), editor)),
        };
      },
    },
    batchGetProducts: {
      access: allow.public(),
      async handle(request, ctx) {
        const editor = isEditor(ctx);
        const source = editor ? databaseProducts : cachedReads;
        const { products, missingIds } = await batchGetProducts(orm.em.fork(), source, request.ids, editor);
        return { products: products.map(toProduct), missingIds };
      },
    },
    listProducts: {
      access: allow.public(),
      async handle(request, ctx) {
        const listing = requireListing(request);
        const editor = isEditor(ctx);
        if (listing.status !== null && !editor)
          throw permissionDenied(`status requires permission ${CATALOG_WRITE}`);
        const answer = (page: ProductPage) => ({
          products: page.products.map(toProduct),
          page: { nextPageToken: page.nextPageToken },
        });
        if (editor) return answer(await listProducts(orm.em.fork(), listing));
        // Shoppers' pages are cached whole: the same first pages are asked for again and again.
        const key = JSON.stringify(listing);
        const hit = cache.list<ReturnType<typeof answer>>(key);
        if (hit) return hit;
        const generation = cache.generation();
        const response = answer(await listProducts(orm.em.fork(), listing));
        cache.putList(key, response, generation);
        return response;
      },
    },
  };
}
