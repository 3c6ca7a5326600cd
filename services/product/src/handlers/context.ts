import type { MikroORM } from '@mikro-orm/postgresql';
import type { Product } from '../../../../gen/ecommerce/product/v1/product.js';
import { allow, type AccessRule } from '../../../../lib/auth/access-rule.js';
import { hasPermission } from '../../../../lib/auth/principal.js';
import type { CallContext } from '../../../../lib/grpc/index.js';
import type { CachedProductReads } from '../cache/cached-reads.js';
import type { ProductCache } from '../cache/product-cache.js';
import type { ProductSource } from '../domain/catalog.js';
import type { ProductView } from '../domain/product-view.js';
import type { ProductSettings } from '../settings.js';

/** The permission of catalog editors (products, categories, stock, review moderation). */
export const CATALOG_WRITE = 'product:write';

/** What every handler group is built from. */
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
export function isEditor(ctx: CallContext): boolean {
  return ctx.principal !== undefined && hasPermission(ctx.principal, CATALOG_WRITE);
}

export function toProduct({ published: _published, ...product }: ProductView): Product {
  return product;
}

/** Catalog editors, or another service of the platform. */
export function editorOrService(): AccessRule {
  const editor = allow.permission(CATALOG_WRITE);
  const service = allow.internal();
  return {
    description: `permission ${CATALOG_WRITE} or internal`,
    isPublic: false,
    check(principal) {
      try {
        service.check(principal);
      } catch {
        editor.check(principal);
      }
    },
  };
}
