import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ProductStatus,
  type Product as ProductMessage,
} from '../../../../gen/ecommerce/product/v1/product.js';
import { decimalToMinorUnits } from '../../../../lib/db/money-type.js';
import { isUuid } from '../../../../lib/ids.js';

/** A product as callers see it (the proto message), plus whether shoppers may see it. */
export interface ProductView extends ProductMessage {
  published: boolean;
}

const STATUS: Record<string, ProductStatus> = {
  draft: ProductStatus.PRODUCT_STATUS_DRAFT,
  active: ProductStatus.PRODUCT_STATUS_ACTIVE,
  archived: ProductStatus.PRODUCT_STATUS_ARCHIVED,
};

interface ProductRow {
  id: string;
  sku: string;
  name: string;
  slug: string;
  description: string | null;
  price: string;
  currency: string;
  status: string;
  is_visible: boolean;
  // PGlite hands back Dates; MikroORM's node-postgres setup hands back timestamp strings.
  created_at: Date | string;
  updated_at: Date | string;
  variants: { id: string; sku: string; name: string; price: string | null; available: number }[] | string;
}

/**
 * GetProduct is the hottest read of the platform, so this is one hand-written query rather than
 * three ORM queries with entity hydration (which cost ~10× more per call): the product, its active
 * variants in display order, and for each the units available now over all locations. Money leaves
 * the database as text and becomes minor units without passing through a float.
 */
const PRODUCT_VIEW_SQL = (key: 'id' | 'slug') => `
  SELECT p.id, p.sku, p.name, p.slug, p.description, p.price::text AS price, p.currency, p.status,
         p.is_visible, p.created_at, p.updated_at,
         COALESCE((
           SELECT json_agg(json_build_object(
                    'id', v.id, 'sku', v.sku, 'name', v.name, 'price', v.price::text,
                    'available', COALESCE((SELECT sum(i.available_quantity) FROM inventory i
                                            WHERE i.variant_id = v.id), 0))
                  ORDER BY v.sort_order, v.created_at, v.id)
             FROM product_variants v
            WHERE v.product_id = p.id AND v.is_active), '[]') AS variants
    FROM products p
   WHERE p.${key} = ?`;

/** Loads a product with its variants and what can be bought of each now (all locations). */
export async function loadProductView(
  em: EntityManager,
  lookup: { id: string } | { slug: string },
): Promise<ProductView | undefined> {
  if ('id' in lookup && !isUuid(lookup.id)) return undefined;
  const [key, value] = 'id' in lookup ? (['id', lookup.id] as const) : (['slug', lookup.slug] as const);
  const [row] = await em.execute<ProductRow[]>(PRODUCT_VIEW_SQL(key), [value]);
  if (!row) return undefined;
  const variants = typeof row.variants === 'string' ? JSON.parse(row.variants) : row.variants;
  const price = { currencyCode: row.currency, amountMinor: decimalToMinorUnits(row.price) };
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    slug: row.slug,
    description: row.description ?? '',
    price,
    status: STATUS[row.status] ?? ProductStatus.PRODUCT_STATUS_UNSPECIFIED,
    variants: (variants as Exclude<ProductRow['variants'], string>).map((variant) => ({
      id: variant.id,
      sku: variant.sku,
      name: variant.name,
      price:
        variant.price === null
          ? price
          : { currencyCode: row.currency, amountMinor: decimalToMinorUnits(variant.price) },
      availableQuantity: Math.max(0, Number(variant.available)),
    })),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    published: row.status === 'active' && row.is_visible,
  };
}
