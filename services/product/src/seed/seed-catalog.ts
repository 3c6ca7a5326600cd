import type { MikroORM } from '@mikro-orm/postgresql';
import type { Env } from '../../../../lib/config/env.js';
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
import { refreshStockStatus } from '../domain/inventory/stock-status.js';
import { productSettingsFrom } from '../settings.js';
import { DEMO_STOCK_LOCATION } from './catalog-data.js';
import { flattenCategories, generateCatalog } from './generate-catalog.js';

/** Low-stock threshold of the demo stock rows. */
const LOW_STOCK_THRESHOLD = 5;

/**
 * Loads the demo catalog through the product service's entities, in one transaction: the category
 * tree (by slug), then every product whose SKU is not there yet with its variants, stock, images,
 * tags and category, and its stock status as the service keeps it (PRODUCT_LOW_STOCK_THRESHOLD).
 * Products are published (active, visible), so shoppers' listings show them. What exists already
 * is left as it is, so running it again inserts nothing.
 */
export function seedProductDemo(orm: MikroORM, env: Env): Promise<DemoSeedResult> {
  const { lowStockThreshold } = productSettingsFrom(env);
  return retryOnceOnConflict(() => loadProductDemo(orm, lowStockThreshold));
}

async function loadProductDemo(orm: MikroORM, lowStockThreshold: number): Promise<DemoSeedResult> {
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
    const inserted: string[] = [];
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
        weight: demo.weight,
        metaTitle: `${demo.name} | Demo Store`,
        metaDescription: demo.shortDescription,
        attributes: demo.attributes,
        publishedAt: now,
      });
      inserted.push(product.id);
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
    await em.flush();
    await refreshStockStatus(em, inserted, lowStockThreshold);
  });
  return result;
}
