import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ProductStatus,
  type Product as ProductMessage,
} from '../../../../gen/ecommerce/product/v1/product.js';
import { isUuid } from '../../../../lib/ids.js';
import { Inventory } from '../entities/inventory.js';
import { Product } from '../entities/product.js';
import { ProductVariant } from '../entities/product-variant.js';

/** A product as callers see it (the proto message), plus whether shoppers may see it. */
export interface ProductView extends ProductMessage {
  published: boolean;
}

const STATUS: Record<string, ProductStatus> = {
  draft: ProductStatus.PRODUCT_STATUS_DRAFT,
  active: ProductStatus.PRODUCT_STATUS_ACTIVE,
  archived: ProductStatus.PRODUCT_STATUS_ARCHIVED,
};

/** Loads a product with its variants and what can be bought of each now (all locations). */
export async function loadProductView(
  em: EntityManager,
  lookup: { id: string } | { slug: string },
): Promise<ProductView | undefined> {
  if ('id' in lookup && !isUuid(lookup.id)) return undefined;
  const product = await em.findOne(Product, lookup);
  if (!product) return undefined;
  const [variants, stock] = await Promise.all([
    em.find(ProductVariant, { product: product.id }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
    em.find(Inventory, { product: product.id }),
  ]);
  const available = new Map<string, number>();
  for (const row of stock) {
    const variantId = row.variant.id;
    available.set(variantId, (available.get(variantId) ?? 0) + (row.quantity - row.reservedQuantity));
  }
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    slug: product.slug,
    description: product.description ?? '',
    price: { currencyCode: product.currency, amountMinor: product.price },
    status: STATUS[product.status] ?? ProductStatus.PRODUCT_STATUS_UNSPECIFIED,
    variants: variants.map((variant) => ({
      id: variant.id,
      sku: variant.sku,
      name: variant.name,
      price: { currencyCode: variant.currency, amountMinor: variant.price ?? product.price },
      availableQuantity: Math.max(0, available.get(variant.id) ?? 0),
    })),
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
    published: product.status === 'active' && product.isVisible,
  };
}
