import {
  ProductServiceService,
  type GetProductResponse,
} from '../../../../gen/ecommerce/product/v1/product.js';
import { allow } from '../../../../lib/auth/access-rule.js';
import { permissionDenied } from '../../../../lib/errors.js';
import { encodeResponse, type EncodedResponse, type ServiceHandlers } from '../../../../lib/grpc/index.js';
import { batchGetProducts, getProduct, requireLookup } from '../domain/catalog.js';
import { createProduct } from '../domain/create-product.js';
import { listProducts, requireListing, type ProductPage } from '../domain/list-products.js';
import { changeProductStatus } from '../domain/product-status.js';
import type { CallContext } from '../../../../lib/grpc/index.js';
import type { ProductView } from '../domain/product-view.js';
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

export function catalogHandlers({
  orm,
  cache,
  databaseReads,
  cachedReads,
  settings,
}: HandlerDeps): CatalogHandlers {
  // A write is visible to this process's next read at once; other replicas hear the event.
  const changed = <T extends { id: string }>(view: T): T => {
    cache.invalidate(view.id);
    return view;
  };
  // A cached view is the same object on every hit, so a shopper's GetProduct answer is encoded on
  // the first hit only; the bytes go when the cache lets go of the view.
  const encodedAnswers = new WeakMap<ProductView, EncodedResponse<GetProductResponse>>();
  const encodedAnswer = (view: ProductView): EncodedResponse<GetProductResponse> => {
    let answer = encodedAnswers.get(view);
    if (!answer) {
      answer = encodeResponse(ProductServiceService.getProduct, { product: toProduct(view) });
      encodedAnswers.set(view, answer);
    }
    return answer;
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
      handle: async (request, ctx) => ({
        product: toProduct(
          changed((await changeProductStatus(orm.em.fork(), statusChangeOf(request, ctx), 'active')).view),
        ),
      }),
    },
    archiveProduct: {
      access: allow.permission(CATALOG_WRITE),
      handle: async (request, ctx) => ({
        product: toProduct(
          changed((await changeProductStatus(orm.em.fork(), statusChangeOf(request, ctx), 'archived')).view),
        ),
      }),
    },
    getProduct: {
      access: allow.public(),
      async handle(request, ctx) {
        const lookup = requireLookup(request.lookup);
        if (isEditor(ctx)) return { product: toProduct(await getProduct(databaseReads, lookup, true)) };
        return encodedAnswer(await getProduct(cachedReads, lookup, false));
      },
    },
    batchGetProducts: {
      access: allow.public(),
      async handle(request, ctx) {
        const editor = isEditor(ctx);
        const source = editor ? databaseReads : cachedReads;
        const { products, missingIds } = await batchGetProducts(source, request.ids, editor);
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

/** Who asks for a status change: the editor, by user id. */
function statusChangeOf(
  request: { productId: string },
  ctx: CallContext,
): { productId: string; changedBy: string } {
  return { productId: request.productId, changedBy: ctx.principal?.userId ?? 'system' };
}
