import { optionalText, requireText } from '../../../../lib/validation/index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { invalidArgument } from '../../../../lib/errors.js';
import { minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';
import { requireMoney, type Money } from '../../../../lib/money.js';
import type { CreateProductRequest } from '../../../../gen/ecommerce/product/v1/product.js';
import { requireThreshold } from './inventory/adjust-stock.js';
import { refreshStockStatus } from './inventory/stock-status.js';
import { ProductCreatedEvent } from '../../../../lib/events/catalog.js';
import { announceProduct } from './announce.js';
import {
  MAX_VARIANTS,
  requireAttributes,
  requireCategoryIds,
  requireImages,
  requirePriceIn,
  requireTags,
} from './product-input.js';
import {
  clashFromViolation,
  insertVariant,
  refuseClashes,
  replaceCategories,
  replaceImages,
  replaceTags,
  type ValidVariant,
} from './product-parts.js';
import type { ProductView } from './product-view.js';
import { newMeasureColumns } from './measures.js';
import { optionalUrl, requireSku, requireSlug, requireStock } from './validation.js';

function validateVariants(
  input: CreateProductRequest,
  sku: string,
  price: Money,
  threshold: number,
): ValidVariant[] {
  if (input.variants.length > MAX_VARIANTS) {
    throw invalidArgument('variants', `must have at most ${MAX_VARIANTS} entries`);
  }
  // A product sold without options still has one variant: carts and stock always name a variant.
  if (input.variants.length === 0) {
    return [
      {
        sku,
        name: 'Default',
        price: null,
        compareAtPrice: null,
        attributes: {},
        imageUrl: null,
        initialStock: 0,
        lowStockThreshold: threshold,
        measures: { weight: null, length: null, width: null, height: null },
      },
    ];
  }
  const seen = new Set<string>();
  return input.variants.map((variant, i) => {
    const field = `variants[${i}]`;
    const variantSku = requireSku(variant.sku, `${field}.sku`);
    if (seen.has(variantSku)) throw invalidArgument(`${field}.sku`, `repeats SKU ${variantSku}`);
    seen.add(variantSku);
    return {
      sku: variantSku,
      name: requireText(`${field}.name`, variant.name, 200),
      price: variant.price ? requirePriceIn(variant.price, `${field}.price`, price.currencyCode) : null,
      compareAtPrice: variant.compareAtPrice
        ? requirePriceIn(variant.compareAtPrice, `${field}.compare_at_price`, price.currencyCode)
        : null,
      attributes: requireAttributes(variant.attributes, `${field}.attributes`),
      imageUrl: optionalUrl(variant.imageUrl, `${field}.image_url`),
      initialStock: requireStock(variant.initialStock, `${field}.initial_stock`),
      lowStockThreshold:
        variant.lowStockThreshold === undefined
          ? threshold
          : requireThreshold(variant.lowStockThreshold, `${field}.low_stock_threshold`),
      measures: newMeasureColumns(variant, field),
    };
  });
}

/**
 * Creates a product with its variants (and their opening stock), images, tags and categories,
 * ACTIVE unless asked for a draft, its stock status from that opening stock, and emits
 * `product.product.created` in the same transaction.
 */
export async function createProduct(
  em: EntityManager,
  input: CreateProductRequest,
  defaultLowStockThreshold: number,
): Promise<ProductView> {
  const sku = requireSku(input.sku, 'sku');
  const name = requireText('name', input.name, 300);
  const slug = requireSlug(input.slug, 'slug');
  const description = optionalText('description', input.description, 10_000);
  const shortDescription = optionalText('short_description', input.shortDescription, 500);
  const price = requireMoney(input.price, 'price');
  const compareAtPrice = input.compareAtPrice
    ? requirePriceIn(input.compareAtPrice, 'compare_at_price', price.currencyCode)
    : null;
  const variants = validateVariants(input, sku, price, defaultLowStockThreshold);
  const images = requireImages(input.images, 'images');
  const tags = requireTags(input.tags, 'tags');
  const categoryIds = requireCategoryIds(input.categoryIds, 'category_ids');
  const measures = newMeasureColumns(input, '');
  const status = input.draft ? 'draft' : 'active';

  try {
    return await em.transactional(async (tx) => {
      await refuseClashes(tx, { slug, sku, variantSkus: variants.map((variant) => variant.sku) });
      const id = newId();
      await tx.execute(
        `INSERT INTO products (id, sku, name, slug, description, short_description, price, compare_at_price,
                               currency, status, is_visible, published_at, weight, length, width, height)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? = 'active' THEN now() END, ?, ?, ?, ?)`,
        [
          id,
          sku,
          name,
          slug,
          description,
          shortDescription,
          minorUnitsToDecimal(price.amountMinor),
          compareAtPrice === null ? null : minorUnitsToDecimal(compareAtPrice.amountMinor),
          price.currencyCode,
          status,
          !input.hidden,
          status,
          measures.weight,
          measures.length,
          measures.width,
          measures.height,
        ],
        'run',
      );
      for (const [sortOrder, variant] of variants.entries()) {
        await insertVariant(tx, id, price.currencyCode, variant, sortOrder);
      }
      await replaceImages(tx, id, images);
      await replaceTags(tx, id, tags);
      await replaceCategories(tx, id, categoryIds, 'category_ids');
      await refreshStockStatus(tx, [id], defaultLowStockThreshold);
      return await announceProduct(tx, ProductCreatedEvent, id);
    });
  } catch (error) {
    throw clashFromViolation(error);
  }
}
