/**
 * Seeds a large catalog straight into a running distributed product_db, for ListProducts and
 * GetProduct benchmarks at 10,000 or 100,000 products: set-based SQL (INSERT … SELECT over
 * generate_series) in one transaction, seconds rather than hours of CreateProduct calls.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432 npx tsx bench/seed-catalog.ts --products 10000
 *
 * Options: --products N (default 10000, at most 1000000), --variants V per product (default 3, 1-4),
 * --replace (delete earlier seeded products first, so the catalog holds exactly this seed).
 * The database is PRODUCT_DATABASE_URL, or product_db on DATABASE_URL; embedded PGlite is refused
 * (the running service holds it). Products are published, one category of 50 (10 roots with 4
 * children each) and two of 20 tags each, prices 1.00-200.99 USD, 1 in 10 out of stock, with
 * ratings spread over 0-5 so every sort order has something to sort. Ids are gen_random_uuid()
 * (v4): bench data, not service-made rows.
 */
import { parseArgs } from 'node:util';
import { databaseUrlFor } from '../lib/config/index.js';
import { migrateDatabase, openDatabase } from '../lib/db/index.js';
import { productDatabase } from '../services/product/src/database.js';
import { reconcileStockStatus } from '../services/product/src/domain/inventory/stock-status.js';
import { productSettingsFrom } from '../services/product/src/settings.js';

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '10000' },
    variants: { type: 'string', default: '3' },
    replace: { type: 'boolean', default: false },
  },
});

function integer(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

const products = integer('products', values.products, 1, 1_000_000);
const variants = integer('variants', values.variants, 1, 4);
const url = databaseUrlFor('product', process.env);
if (!url) {
  throw new Error('set DATABASE_URL (or PRODUCT_DATABASE_URL): this script seeds a PostgreSQL product_db');
}
const tag = Date.now().toString(36);
const prefix = `SEED-${tag.toUpperCase()}-`;

const STEPS: [string, string][] = [
  [
    'categories',
    `WITH roots AS (
       INSERT INTO categories (id, name, slug, parent_id, level, sort_order, is_active, path)
       SELECT id, 'Seed ' || g, 'seed-${tag}-c' || g, NULL, 0, g, true, '/' || id || '/'
         FROM (SELECT gen_random_uuid() AS id, g FROM generate_series(0, 9) g) r
       RETURNING id, sort_order, path)
     INSERT INTO categories (id, name, slug, parent_id, level, sort_order, is_active, path)
     SELECT id, 'Seed ' || root_order || '.' || k, 'seed-${tag}-c' || root_order || '-' || k, root_id, 1, k, true,
            root_path || id || '/'
       FROM (SELECT gen_random_uuid() AS id, roots.id AS root_id, roots.sort_order AS root_order,
                    roots.path AS root_path, k
               FROM roots, generate_series(0, 3) k) c`,
  ],
  [
    'products',
    `INSERT INTO products (id, sku, name, slug, description, short_description, price, currency, status, is_visible,
                           rating_avg, rating_count, published_at, created_at, updated_at)
     SELECT gen_random_uuid(), '${prefix}' || g,
            initcap(w[1 + g % 7]) || ' ' || w[8 + (g / 7) % 7] || ' ' || g,
            'seed-${tag}-' || g,
            'A ' || w[1 + g % 7] || ' ' || w[8 + (g / 7) % 7] || ' for ' || w[15 + (g / 49) % 6] || '. Seeded for benchmarks.',
            'Seeded ' || w[8 + (g / 7) % 7],
            ((g * 7919) % 20000 + 100) / 100.0, 'USD', 'active', true,
            ((g * 31) % 501) / 100.0, g % 50,
            now(), now() - (${products} - g) * interval '1 second', now()
       FROM generate_series(1, ${products}) g,
            (SELECT ARRAY['cotton', 'linen', 'wool', 'denim', 'leather', 'silk', 'canvas',
                          'shirt', 'jacket', 'trousers', 'scarf', 'boots', 'bag', 'hat',
                          'hiking', 'running', 'office', 'travel', 'winter', 'summer'] AS w) words`,
  ],
  [
    'variants',
    `INSERT INTO product_variants (id, product_id, sku, name, price, currency, attributes, sort_order)
     SELECT gen_random_uuid(), p.id, p.sku || '-' || v, (ARRAY['S', 'M', 'L', 'XL'])[v],
            CASE WHEN v = 1 THEN NULL ELSE p.price + v END, 'USD',
            jsonb_build_object('size', (ARRAY['S', 'M', 'L', 'XL'])[v]), v
       FROM products p, generate_series(1, ${variants}) v
      WHERE p.sku LIKE '${prefix}%'`,
  ],
  [
    'inventory',
    `INSERT INTO inventory (id, product_id, variant_id, location, quantity, low_stock_threshold)
     SELECT gen_random_uuid(), v.product_id, v.id, 'default',
            CASE WHEN substr(p.sku, ${prefix.length + 1})::int % 10 = 0 THEN 0 ELSE 1000 END, 5
       FROM product_variants v JOIN products p ON p.id = v.product_id
      WHERE p.sku LIKE '${prefix}%'`,
  ],
  [
    'tags',
    `INSERT INTO product_tags (id, product_id, tag)
     SELECT gen_random_uuid(), p.id, 'seed-' || ((substr(p.sku, ${prefix.length + 1})::int + k * 7) % 20)
       FROM products p, generate_series(0, 1) k
      WHERE p.sku LIKE '${prefix}%'`,
  ],
  [
    'product categories',
    `INSERT INTO product_categories (id, product_id, category_id)
     SELECT gen_random_uuid(), p.id, c.id
       FROM products p
       JOIN (SELECT id, row_number() OVER (ORDER BY path) - 1 AS n
               FROM categories WHERE slug LIKE 'seed-${tag}-c%' AND level = 1) c
         ON c.n = substr(p.sku, ${prefix.length + 1})::int % 40
      WHERE p.sku LIKE '${prefix}%'`,
  ],
  [
    'images',
    `INSERT INTO product_images (id, product_id, url, alt_text, sort_order, is_primary)
     SELECT gen_random_uuid(), p.id, 'https://cdn.example.com/seed/' || p.slug || '.jpg', p.name, 0, true
       FROM products p WHERE p.sku LIKE '${prefix}%'`,
  ],
];

const database = await openDatabase(productDatabase, { url, dataDir: '' });
try {
  await migrateDatabase(database);
  const started = performance.now();
  await database.orm.em.fork().transactional(async (em) => {
    if (values.replace) {
      await em.execute(`DELETE FROM products WHERE sku LIKE 'SEED-%'`);
      await em.execute(`DELETE FROM categories WHERE slug LIKE 'seed-%' AND level > 0`);
      await em.execute(`DELETE FROM categories WHERE slug LIKE 'seed-%'`);
    }
    for (const [what, sql] of STEPS) {
      const stepStarted = performance.now();
      await em.execute(sql);
      console.log(`${what}: ${Math.round(performance.now() - stepStarted)} ms`);
    }
  });
  // The stock status the service keeps (ListProducts' in-stock filter reads it): set as it would.
  const statusStarted = performance.now();
  const relabelled = await reconcileStockStatus(
    database.orm,
    productSettingsFrom(process.env).lowStockThreshold,
  );
  console.log(`stock status: ${relabelled} products, ${Math.round(performance.now() - statusStarted)} ms`);
  await database.orm.em.fork().execute('ANALYZE');
  const [counts] = await database.orm.em.fork().execute<{ published: number; variants: number }[]>(
    `SELECT (SELECT count(*)::int FROM products WHERE status = 'active' AND is_visible) AS published,
              (SELECT count(*)::int FROM product_variants) AS variants`,
  );
  console.log(
    `seeded ${products} products with ${variants} variants each (sku prefix ${prefix}) in ` +
      `${Math.round(performance.now() - started)} ms; the catalog now has ${counts!.published} published ` +
      `products and ${counts!.variants} variants`,
  );
} finally {
  await database.close();
}
