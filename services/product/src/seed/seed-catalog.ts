import type { MikroORM } from '@mikro-orm/postgresql';
import {
  countInserted,
  emptySeedResult,
  retryOnceOnConflict,
  type DemoSeedResult,
} from '../../../../lib/runtime/demo-seed.js';
import {
  Category,
  Inventory,
  Product,
  ProductCategory,
  ProductImage,
  ProductTag,
  ProductVariant,
} from '../entities/index.js';
import { DEMO_STOCK_LOCATION } from './catalog-data.js';
import { flattenCategories, generateCatalog, type GeneratedProduct } from './generate-catalog.js';

const LOW_STOCK_THRESHOLD = 5;

function stockStatusOf(product: GeneratedProduct): 'in_stock' | 'low_stock' | 'out_of_stock' {
  const units = product.variants.reduce((sum, v) => sum + v.quantity, 0);
  if (units === 0) return 'out_of_stock';
  return units <= LOW_STOCK_THRESHOLD * product.variants.length ? 'low_stock' : 'in_stock';
}

/**
 * Loads the demo catalog through the product service's entities, in one transaction: the category
 * tree (by slug), then every product whose SKU is not there yet with its variants, stock, images,
 * tags and category. Products are published (active, visible), so shoppers' listings show them.
 * What exists already is left as it is, so running it again inserts nothing.
 */
export function seedProductDemo(orm: MikroORM): Promise<DemoSeedResult> {
  return retryOnceOnConflict(() => loadProductDemo(orm));
}

async function loadProductDemo(orm: MikroORM): Promise<DemoSeedResult> {
  const result = emptySeedResult([
    'categories',
    'products',
    'product_variants',
    'inventory',
    'product_images',
    'product_tags',
    'product_categories',
  ]);
  const catalog = generateCatalog();
  await orm.em.fork().transactional(async (em) => {
    const categories = new Map<string, Category>(
      (await em.find(Category, { slug: { $in: flattenCategories().map((c) => c.slug) } })).map((c) => [
        c.slug,
        c,
      ]),
    );
    for (const demo of flattenCategories()) {
      if (categories.has(demo.slug)) continue;
      const parent = demo.parentSlug ? categories.get(demo.parentSlug)! : undefined;
      const category = em.create(Category, {
        name: demo.name,
        slug: demo.slug,
        description: demo.description,
        parentId: parent?.id ?? null,
        level: parent ? parent.level + 1 : 0,
        sortOrder: demo.sortOrder,
        path: '/',
      });
      category.path = `${parent?.path ?? '/'}${category.id}/`;
      categories.set(demo.slug, category);
      countInserted(result, 'categories');
    }

    const existing = new Set(
      (await em.find(Product, { sku: { $in: catalog.map((p) => p.sku) } }, { fields: ['sku'] })).map(
        (p) => p.sku,
      ),
    );
    const now = new Date();
    for (const demo of catalog) {
      if (existing.has(demo.sku)) continue;
      const product = em.create(Product, {
        sku: demo.sku,
        name: demo.name,
        slug: demo.slug,
        description: demo.description,
        shortDescription: demo.shortDescription,
        price: demo.price,
        compareAtPrice: demo.compareAtPrice,
        costPrice: demo.costPrice,
        currency: demo.currency,
        status: 'active',
        isVisible: true,
        stockStatus: stockStatusOf(demo),
        weight: demo.weight,
        metaTitle: `${demo.name} | Demo Store`,
        metaDescription: demo.shortDescription,
        attributes: demo.attributes,
        publishedAt: now,
      });
      countInserted(result, 'products');
      demo.variants.forEach((v, index) => {
        const variant = em.create(ProductVariant, {
          product,
          sku: v.sku,
          name: v.name,
          price: v.price,
          currency: demo.currency,
          attributes: { option: v.name },
          sortOrder: index,
        });
        em.create(Inventory, {
          product,
          variant,
          location: DEMO_STOCK_LOCATION,
          quantity: v.quantity,
          lowStockThreshold: LOW_STOCK_THRESHOLD,
          lastRestockedAt: v.quantity > 0 ? now : null,
        });
      });
      countInserted(result, 'product_variants', demo.variants.length);
      countInserted(result, 'inventory', demo.variants.length);
      demo.images.forEach((image, index) =>
        em.create(ProductImage, {
          product,
          url: image.url,
          altText: image.altText,
          sortOrder: index,
          isPrimary: index === 0,
        }),
      );
      countInserted(result, 'product_images', demo.images.length);
      for (const tag of demo.tags) em.create(ProductTag, { product, tag });
      countInserted(result, 'product_tags', demo.tags.length);
      em.create(ProductCategory, { product, category: categories.get(demo.categorySlug)! });
      countInserted(result, 'product_categories');
    }
  });
  return result;
}
