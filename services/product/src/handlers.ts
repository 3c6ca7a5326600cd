import type { MikroORM } from '@mikro-orm/postgresql';
import {
  ProductServiceService,
  ReservationState,
  ReviewModeration,
  type GetProductResponse,
  type Product,
  type Reservation,
} from '../../../gen/ecommerce/product/v1/product.js';
import { allow } from '../../../lib/auth/access-rule.js';
import { accountIdOf, callerHolds } from '../../../lib/auth/principal.js';
import { permissionDenied } from '../../../lib/errors.js';
import {
  encodeResponse,
  type CallContext,
  type EncodedResponse,
  type ServiceHandlers,
} from '../../../lib/grpc/index.js';
import type { CachedProductReads } from './domain/cache/cached-reads.js';
import type { ProductCache } from './domain/cache/product-cache.js';
import { batchGetProducts, getProduct, requireLookup, type ProductSource } from './domain/catalog.js';
import {
  createCategory,
  listCategories,
  moveCategory,
  setCategoryActive,
  updateCategory,
} from './domain/categories.js';
import { createProduct } from './domain/create-product.js';
import { listProducts, requireListing, type ProductPage } from './domain/list-products.js';
import { changeProductStatus } from './domain/product-status.js';
import type { ProductView } from './domain/product-view.js';
import { updateProduct } from './domain/update-product.js';
import { adjustStock } from './domain/inventory/adjust-stock.js';
import {
  commitReservation,
  releaseReservation,
  reserveStock,
  type ReservationRecord,
} from './domain/inventory/reservations.js';
import { restock } from './domain/inventory/restock.js';
import { getStock } from './domain/inventory/stock-levels.js';
import { createReview, listReviews, moderateReview } from './domain/reviews/reviews.js';
import type { ProductSettings } from './settings.js';

/** The permission of catalog editors (products, categories, stock, review moderation). */
export const CATALOG_WRITE = 'product:write';

/** What the handlers are built from. */
export interface HandlerDeps {
  orm: MikroORM;
  cache: ProductCache;
  /** Product views straight from the database (what editors read). */
  databaseReads: ProductSource;
  /** Product views through the process cache (what shoppers read). */
  cachedReads: CachedProductReads;
  settings: ProductSettings;
}

/** Catalog editors see drafts and archived products and read past the cache. */
function isEditor(ctx: CallContext): boolean {
  return callerHolds(ctx.principal, CATALOG_WRITE);
}

function toProduct({ published: _published, ...product }: ProductView): Product {
  return product;
}

const RESERVATION_STATES: Record<ReservationRecord['state'], ReservationState> = {
  reserved: ReservationState.RESERVATION_STATE_RESERVED,
  released: ReservationState.RESERVATION_STATE_RELEASED,
  committed: ReservationState.RESERVATION_STATE_COMMITTED,
};

function toReservation(record: ReservationRecord): Reservation {
  return {
    orderId: record.orderId,
    state: RESERVATION_STATES[record.state],
    units: record.units.map(({ variantId, location, quantity }) => ({ variantId, location, quantity })),
  };
}

/**
 * Every RPC of the product service, in the contract's four parts: catalog, categories, inventory,
 * reviews. Shoppers read through the process cache; what changes the catalog drops what it changed
 * from this process's cache at once (other replicas hear the event).
 */
export function productHandlers({
  orm,
  cache,
  databaseReads,
  cachedReads,
  settings,
}: HandlerDeps): ServiceHandlers<typeof ProductServiceService> {
  const editor = allow.permission(CATALOG_WRITE);
  const productChanged = <T extends { id: string }>(view: T): T => {
    cache.invalidate(view.id);
    return view;
  };
  // The tree decides which products a category listing shows: this process's cached pages go at
  // once with a move or (de)activation; every replica's go with product.category.updated.
  const treeChanged = <T>(value: T): T => {
    cache.invalidateLists();
    return value;
  };
  // Availability is part of a cached product: this process's stock changes drop those products at
  // once (other replicas catch up through low-stock events and the cache's short TTL).
  const stockMoved = (productIds: Iterable<string>) => {
    for (const productId of new Set(productIds)) cache.invalidate(productId);
  };
  const reservationMoved = (record: ReservationRecord) =>
    stockMoved(record.units.map((unit) => unit.productId));
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
    // Catalog
    createProduct: {
      access: editor,
      handle: async (request) => ({
        product: toProduct(
          productChanged(await createProduct(orm.em.fork(), request, settings.lowStockThreshold)),
        ),
      }),
    },
    updateProduct: {
      access: editor,
      handle: async (request) => ({
        product: toProduct(
          productChanged(await updateProduct(orm.em.fork(), request, settings.lowStockThreshold)),
        ),
      }),
    },
    publishProduct: {
      access: editor,
      handle: async (request, ctx) => ({
        product: toProduct(
          productChanged(
            (await changeProductStatus(orm.em.fork(), statusChangeOf(request, ctx), 'active')).view,
          ),
        ),
      }),
    },
    archiveProduct: {
      access: editor,
      handle: async (request, ctx) => ({
        product: toProduct(
          productChanged(
            (await changeProductStatus(orm.em.fork(), statusChangeOf(request, ctx), 'archived')).view,
          ),
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

    // Categories
    createCategory: {
      access: editor,
      handle: async (request) => ({ category: await createCategory(orm.em.fork(), request) }),
    },
    updateCategory: {
      access: editor,
      handle: async (request) => ({ category: await updateCategory(orm.em.fork(), request) }),
    },
    moveCategory: {
      access: editor,
      handle: async (request) => ({ category: treeChanged(await moveCategory(orm.em.fork(), request)) }),
    },
    setCategoryActive: {
      access: editor,
      handle: async (request) => ({ category: treeChanged(await setCategoryActive(orm.em.fork(), request)) }),
    },
    listCategories: {
      access: allow.public(),
      handle: async (_request, ctx) => ({ categories: await listCategories(orm.em.fork(), isEditor(ctx)) }),
    },

    // Inventory
    getStock: {
      access: allow.anyOf(editor, allow.internal()),
      handle: (request) => getStock(orm.em.fork(), request),
    },
    adjustStock: {
      access: editor,
      async handle(request, ctx) {
        const { productId, level } = await adjustStock(
          orm.em.fork(),
          request,
          accountIdOf(ctx.principal),
          settings.lowStockThreshold,
        );
        stockMoved([productId]);
        return { level };
      },
    },
    reserveStock: {
      access: allow.internal(),
      async handle(request) {
        const record = await reserveStock(orm.em.fork(), request, settings.lowStockThreshold);
        reservationMoved(record);
        return { reservation: toReservation(record) };
      },
    },
    releaseReservation: {
      access: allow.internal(),
      async handle(request) {
        const { reservation, releasedNow } = await releaseReservation(
          orm.em.fork(),
          request,
          settings.lowStockThreshold,
        );
        reservationMoved(reservation);
        return { reservation: toReservation(reservation), releasedNow };
      },
    },
    commitReservation: {
      access: allow.internal(),
      async handle(request) {
        const record = await commitReservation(orm.em.fork(), request);
        // No cached view changes: a commit moves no available unit (on hand is not in the view).
        return { reservation: toReservation(record) };
      },
    },
    restock: {
      access: allow.internal(),
      async handle(request) {
        const { restockedNow, productIds } = await restock(
          orm.em.fork(),
          request,
          settings.lowStockThreshold,
        );
        stockMoved(productIds);
        return { restockedNow };
      },
    },

    // Reviews
    createReview: {
      access: allow.account(),
      handle: async (request, ctx) => ({
        review: await createReview(orm.em.fork(), accountIdOf(ctx.principal), request),
      }),
    },
    moderateReview: {
      access: editor,
      async handle(request) {
        const { review, rating, productId } = await moderateReview(orm.em.fork(), request);
        cache.invalidate(productId);
        return { review, rating };
      },
    },
    listReviews: {
      access: allow.public(),
      async handle(request, ctx) {
        const editor = isEditor(ctx);
        if (request.moderation !== ReviewModeration.REVIEW_MODERATION_UNSPECIFIED && !editor) {
          throw permissionDenied(`moderation requires permission ${CATALOG_WRITE}`);
        }
        const { reviews, nextPageToken } = await listReviews(
          orm.em.fork(),
          {
            productId: request.productId,
            pageSize: request.page?.pageSize,
            pageToken: request.page?.pageToken,
            moderation: request.moderation,
          },
          editor,
        );
        return { reviews, page: { nextPageToken } };
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
