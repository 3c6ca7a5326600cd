import { ProductServiceService } from '../../../../gen/ecommerce/product/v1/product.js';
import { allow } from '../../../../lib/auth/access-rule.js';
import type { ServiceHandlers } from '../../../../lib/grpc/index.js';
import {
  createCategory,
  listCategories,
  moveCategory,
  setCategoryActive,
  updateCategory,
} from '../domain/categories.js';
import { CATALOG_WRITE, isEditor, type HandlerDeps } from './context.js';

type Handlers = ServiceHandlers<typeof ProductServiceService>;
type CategoryHandlers = Pick<
  Handlers,
  'createCategory' | 'updateCategory' | 'moveCategory' | 'setCategoryActive' | 'listCategories'
>;

export function categoryHandlers({ orm, cache }: HandlerDeps): CategoryHandlers {
  // The tree decides which products a category listing shows: this process's cached pages go at
  // once with a move or (de)activation; every replica's go with product.category.updated.
  const changed = <T>(value: T): T => {
    cache.invalidateLists();
    return value;
  };
  return {
    createCategory: {
      access: allow.permission(CATALOG_WRITE),
      handle: async (request) => ({ category: await createCategory(orm.em.fork(), request) }),
    },
    updateCategory: {
      access: allow.permission(CATALOG_WRITE),
      handle: async (request) => ({ category: await updateCategory(orm.em.fork(), request) }),
    },
    moveCategory: {
      access: allow.permission(CATALOG_WRITE),
      handle: async (request) => ({ category: changed(await moveCategory(orm.em.fork(), request)) }),
    },
    setCategoryActive: {
      access: allow.permission(CATALOG_WRITE),
      handle: async (request) => ({ category: changed(await setCategoryActive(orm.em.fork(), request)) }),
    },
    listCategories: {
      access: allow.public(),
      handle: async (_request, ctx) => ({ categories: await listCategories(orm.em.fork(), isEditor(ctx)) }),
    },
  };
}
