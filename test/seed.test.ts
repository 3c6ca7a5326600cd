import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  ListProductsRequest,
  ProductServiceClient,
  ProductStatus,
} from '../gen/ecommerce/product/v1/product.js';
import { ConfigError } from '../lib/config/index.js';
import { pino } from 'pino';
import type { DatabaseDefinition, EntityManager } from '../lib/db/orm.js';
import { seedNewDatabase, type DemoSeed, type DemoSeedResult } from '../lib/runtime/demo-seed.js';
import { openScratchDatabase, type ScratchDatabase } from '../lib/testing/scratch-database.js';
import { authDatabase } from '../services/auth/src/database.js';
import { verifyPassword } from '../services/auth/src/domain/password-hash.js';
import { BUILT_IN_ROLES } from '../services/auth/src/domain/built-in-roles.js';
import { DEFAULT_DEMO_ADMIN_EMAIL, DEMO_ROLES, seedAuthDemo } from '../services/auth/src/seed/index.js';
import { discountDatabase } from '../services/discount/src/database.js';
import { DEMO_COUPONS, DEMO_PROMOTIONS, seedDiscountDemo } from '../services/discount/src/seed/index.js';
import { notificationDatabase } from '../services/notification/src/database.js';
import {
  DEMO_EMAIL_TEMPLATES,
  EVENTS_WITHOUT_EMAIL,
  seedNotificationDemo,
} from '../services/notification/src/seed/index.js';
import { productDatabase } from '../services/product/src/database.js';
import { generateCatalog, seedProductDemo } from '../services/product/src/seed/index.js';
import { stockStatusOf } from '../services/product/src/domain/inventory/stock-status.js';
import { shippingDatabase } from '../services/shipping/src/database.js';
import { DEMO_CARRIERS, DEMO_ZONES, seedShippingDemo } from '../services/shipping/src/seed/index.js';
import { plainClient } from './support/clients.js';
import { startTestMesh, type TestMesh } from './support/mesh.js';

/*
 * The demo store (`make seed`, and `make run` on new databases): each service's share is loaded
 * into a scratch database of that service (embedded, or real PostgreSQL with DATABASE_URL), checked
 * table by table, then loaded again to show that nothing is inserted twice.
 */

type Row = Record<string, unknown>;

async function rows(em: EntityManager, sql: string, params: unknown[] = []): Promise<Row[]> {
  return em.execute<Row[]>(sql, params);
}

async function tableCounts(em: EntityManager): Promise<Record<string, number>> {
  const tables = await rows(
    em,
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await rows(em, `SELECT count(*)::int AS n FROM "${String(name)}"`);
    counts[String(name)] = Number(row!.n);
  }
  return counts;
}

const nothingInserted = (result: DemoSeedResult) =>
  Object.fromEntries(Object.keys(result.inserted).map((table) => [table, 0]));

/** Seeds a scratch database of one service twice; `check` sees it after the first time. */
function seedsIdempotently(
  name: string,
  definition: DatabaseDefinition,
  seed: DemoSeed,
  check: (em: EntityManager, first: DemoSeedResult, counts: Record<string, number>) => Promise<void>,
  env: Record<string, string> = {},
) {
  it(`${name}: loads the demo data, and loading it again inserts nothing`, async () => {
    const db = await openScratchDatabase(`seed_${definition.name}`, definition);
    try {
      const first = await seed(db.orm, env);
      const counts = await tableCounts(db.orm.em.fork());
      for (const [table, inserted] of Object.entries(first.inserted)) {
        expect(inserted, `${table} inserted`).to.be.greaterThan(0);
        expect(counts[table], `${table} rows`).to.equal(inserted);
      }
      await check(db.orm.em.fork(), first, counts);
      const second = await seed(db.orm, env);
      expect(second.inserted).to.deep.equal(nothingInserted(first));
      expect(second.notices).to.deep.equal([]);
      expect(await tableCounts(db.orm.em.fork())).to.deep.equal(counts);
    } finally {
      await db.drop();
    }
  });
}

/** Every `Subject:` line of proto/**\/events.proto: the events the platform publishes. */
function publishedEventSubjects(dir = 'proto'): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return publishedEventSubjects(path);
    if (entry !== 'events.proto') return [];
    return [...readFileSync(path, 'utf8').matchAll(/Subject: ([a-z_.]+)/g)].map((m) => m[1]!);
  });
}

describe('demo data (make seed)', function () {
  // argon2id, a few thousand catalog rows, and a scratch database per service.
  this.timeout(120_000);

  seedsIdempotently('product', productDatabase, seedProductDemo, async (em, _first, counts) => {
    expect(counts.products).to.be.at.least(200);
    expect(counts.product_variants).to.be.at.least(counts.products!);
    expect(counts.inventory, 'one stock row per variant').to.equal(counts.product_variants);
    expect(counts.product_categories, 'one category per product').to.equal(counts.products);
    expect(counts.reviews).to.equal(0);

    // Categories form one tree per root, two or three levels deep, with consistent paths.
    const categories = await rows(em, 'SELECT id, slug, parent_id, level, path FROM categories');
    const byId = new Map(categories.map((c) => [String(c.id), c]));
    for (const category of categories) {
      const parent = category.parent_id ? byId.get(String(category.parent_id)) : undefined;
      if (category.parent_id) expect(parent, `parent of ${String(category.slug)}`).to.not.equal(undefined);
      expect(category.level).to.equal(parent ? Number(parent.level) + 1 : 0);
      expect(category.path).to.equal(`${parent ? String(parent.path) : '/'}${String(category.id)}/`);
    }
    expect(Math.max(...categories.map((c) => Number(c.level)))).to.equal(2);
    expect(categories.filter((c) => c.parent_id === null).length).to.be.within(3, 8);
    const [inner] = await rows(
      em,
      `SELECT count(*)::int AS n FROM product_categories pc
        WHERE EXISTS (SELECT 1 FROM categories child WHERE child.parent_id = pc.category_id)`,
    );
    expect(inner!.n, 'products sit in leaf categories').to.equal(0);

    // Every product is published, priced, stocked and pictured; names and slugs are real words.
    const [products] = await rows(
      em,
      `SELECT count(*) FILTER (WHERE status = 'active' AND is_visible AND published_at IS NOT NULL)::int AS published,
              count(*) FILTER (WHERE price > 0 AND currency = 'EUR')::int AS priced,
              count(DISTINCT slug)::int AS slugs, count(*)::int AS total
         FROM products`,
    );
    expect(products).to.deep.equal({
      published: counts.products,
      priced: counts.products,
      slugs: counts.products,
      total: counts.products,
    });
    const [pictures] = await rows(
      em,
      `SELECT count(*)::int AS n FROM products p
        WHERE (SELECT count(*) FROM product_images i WHERE i.product_id = p.id AND i.is_primary) = 1
          AND EXISTS (SELECT 1 FROM product_tags t WHERE t.product_id = p.id)
          AND EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id)`,
    );
    expect(pictures!.n, 'one primary image, a tag and a variant each').to.equal(counts.products);
    const [stock] = await rows(em, 'SELECT sum(available_quantity)::int AS units FROM inventory');
    expect(stock!.units).to.be.greaterThan(10_000);
    // The stock status is the service's own (the default PRODUCT_LOW_STOCK_THRESHOLD). Some variants
    // are sold out, but no demo product is wholly.
    const statuses = await rows(
      em,
      `SELECT p.stock_status, (SELECT COALESCE(sum(i.available_quantity), 0)::int FROM inventory i
                                 JOIN product_variants v ON v.id = i.variant_id
                                WHERE i.product_id = p.id AND v.is_active) AS available
         FROM products p`,
    );
    const wrong = statuses.filter((row) => row.stock_status !== stockStatusOf(Number(row.available), 5));
    expect(wrong, 'products whose stock status is not what their stock says').to.deep.equal([]);
    expect(new Set(statuses.map((row) => row.stock_status))).to.deep.equal(
      new Set(['in_stock', 'low_stock']),
    );
    const [sample] = await rows(em, 'SELECT name, slug FROM products WHERE sku = ?', [
      generateCatalog()[0]!.sku,
    ]);
    expect(sample).to.deep.equal({ name: generateCatalog()[0]!.name, slug: generateCatalog()[0]!.slug });
  });

  it('product: the generated catalog is the same on every run', () => {
    expect(generateCatalog()).to.deep.equal(generateCatalog());
    const skus = generateCatalog().flatMap((p) => [p.sku, ...p.variants.map((v) => v.sku)]);
    expect(new Set(skus).size).to.equal(skus.length);
  });

  seedsIdempotently('notification', notificationDatabase, seedNotificationDemo, async (em) => {
    const templates = await rows(
      em,
      'SELECT name, subject, body_html, body_text, variables, is_active FROM email_templates',
    );
    expect(templates.map((t) => t.name).sort()).to.deep.equal(DEMO_EMAIL_TEMPLATES.map((t) => t.name).sort());
    for (const template of templates) {
      const used = [
        ...`${String(template.subject)} ${String(template.body_text)} ${String(template.body_html)}`.matchAll(
          /\{\{(\w+)\}\}/g,
        ),
      ].map((m) => m[1]);
      expect([...(template.variables as string[])].sort(), String(template.name)).to.deep.equal(
        [...new Set(used)].sort(),
      );
      expect(template.is_active).to.equal(true);
    }
  });

  it('notification: every event the platform publishes has a template or a reason why it sends no email', () => {
    const templated = new Set(DEMO_EMAIL_TEMPLATES.flatMap((t) => t.events));
    const subjects = publishedEventSubjects();
    expect(subjects.length).to.be.at.least(10);
    const undecided = subjects.filter((s) => !templated.has(s) && !(s in EVENTS_WITHOUT_EMAIL));
    expect(
      undecided,
      'give these events an email template or list them in EVENTS_WITHOUT_EMAIL',
    ).to.deep.equal([]);
    const both = subjects.filter((s) => templated.has(s) && s in EVENTS_WITHOUT_EMAIL);
    expect(both).to.deep.equal([]);
    // And the other way: a template waits only for events that exist (a typo would never be sent).
    const unknown = [...templated, ...Object.keys(EVENTS_WITHOUT_EMAIL)].filter((s) => !subjects.includes(s));
    expect(unknown, 'no event of the platform has these subjects').to.deep.equal([]);
    // The emails the issues name: registration, verification, reset, order, shipping, returns.
    for (const name of [
      'email_verification',
      'welcome',
      'password_reset',
      'order_confirmed',
      'order_shipped',
      'return_received',
    ]) {
      expect(DEMO_EMAIL_TEMPLATES.map((t) => t.name)).to.include(name);
    }
  });

  seedsIdempotently('discount', discountDatabase, seedDiscountDemo, async (em, _first, counts) => {
    expect(counts.coupons).to.equal(DEMO_COUPONS.length);
    expect(counts.promotions).to.equal(DEMO_PROMOTIONS.length);
    expect(counts.coupon_usage).to.equal(0);
    const [welcome] = await rows(
      em,
      "SELECT type, discount_value::text AS value FROM coupons WHERE upper(code) = 'WELCOME10'",
    );
    expect(welcome).to.deep.equal({ type: 'percentage', value: '10.00' });
    const [orphans] = await rows(
      em,
      'SELECT count(*)::int AS n FROM promotions p WHERE NOT EXISTS (SELECT 1 FROM promotion_rules r WHERE r.promotion_id = p.id)',
    );
    expect(orphans!.n, 'every promotion has a rule').to.equal(0);
  });

  it('discount: a coupon code taken in another letter case is left alone', async () => {
    const db = await openScratchDatabase('seed_discount_taken', discountDatabase);
    try {
      const em = db.orm.em.fork();
      await em.execute(
        `INSERT INTO coupons (id, code, name, type, discount_value, currency)
         VALUES (gen_random_uuid(), 'welcome10', 'Mine', 'fixed_amount', 5, 'EUR')`,
      );
      const result = await seedDiscountDemo(db.orm);
      expect(result.inserted.coupons).to.equal(DEMO_COUPONS.length - 1);
      const coupons = await rows(em, "SELECT name FROM coupons WHERE upper(code) = 'WELCOME10'");
      expect(coupons).to.deep.equal([{ name: 'Mine' }]);
    } finally {
      await db.drop();
    }
  });

  seedsIdempotently('shipping', shippingDatabase, seedShippingDemo, async (em, _first, counts) => {
    expect(counts.carriers).to.equal(DEMO_CARRIERS.length);
    expect(counts.shipping_zones).to.equal(DEMO_ZONES.length);
    expect(counts.shipments).to.equal(0);
    const zones = await rows(
      em,
      `SELECT z.name, count(m.id)::int AS methods FROM shipping_zones z LEFT JOIN shipping_methods m ON m.zone_id = z.id
        GROUP BY z.name ORDER BY z.name`,
    );
    for (const zone of zones) expect(zone.methods, String(zone.name)).to.be.at.least(2);
    const [germany] = await rows(
      em,
      `SELECT count(*)::int AS n FROM shipping_zones WHERE countries @> '["DE"]'::jsonb`,
    );
    expect(germany!.n).to.equal(1);
  });

  seedsIdempotently(
    'auth (credentials from the environment)',
    authDatabase,
    seedAuthDemo,
    async (em, first) => {
      const roles = await rows(em, 'SELECT name FROM roles ORDER BY name');
      expect(roles.map((r) => r.name)).to.deep.equal(DEMO_ROLES.map((r) => r.name).sort());
      // A seeded role is the one the service ensures at start: the staff can do what its RPCs ask.
      const [support] = await rows(em, `SELECT permissions FROM roles WHERE name = 'support'`);
      expect(support!.permissions).to.deep.equal(
        BUILT_IN_ROLES.find((r) => r.name === 'support')!.permissions,
      );
      expect(support!.permissions).to.include.members(['audit:read', 'role:read']);
      const [admin] = await rows(
        em,
        `SELECT u.password_hash, u.email_verified, array_agg(r.name ORDER BY r.name) AS roles
           FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
          WHERE u.email = 'owner@shop.example' GROUP BY u.id`,
      );
      expect(admin!.email_verified).to.equal(true);
      expect(admin!.roles).to.deep.equal(['admin', 'customer']);
      expect(await verifyPassword(String(admin!.password_hash), 'correct horse 42')).to.equal(true);
      expect(first.notices).to.deep.equal([
        'Demo administrator: owner@shop.example (password from AUTH_BOOTSTRAP_ADMIN_PASSWORD)',
      ]);
      // Announced like any registration, so the user service makes its profile.
      const events = await rows(
        em,
        "SELECT subject FROM infra.outbox WHERE subject = 'auth.user.registered'",
      );
      expect(events).to.have.length(1);
      const [audit] = await rows(
        em,
        "SELECT count(*)::int AS n FROM security_audit_logs WHERE action = 'register'",
      );
      expect(audit!.n).to.equal(1);
    },
    { AUTH_BOOTSTRAP_ADMIN_EMAIL: 'Owner@Shop.example', AUTH_BOOTSTRAP_ADMIN_PASSWORD: 'correct horse 42' },
  );

  it('auth: without credentials in the environment, makes a password, shows it once, and it works', async () => {
    const db = await openScratchDatabase('seed_auth_generated', authDatabase);
    try {
      const first = await seedAuthDemo(db.orm, {});
      expect(first.notices).to.have.length(1);
      const [, password] = /^Demo administrator: \S+ \/ (\S+) \(shown once/.exec(first.notices[0]!) ?? [];
      expect(first.notices[0]).to.include(DEFAULT_DEMO_ADMIN_EMAIL);
      const [admin] = await rows(db.orm.em.fork(), 'SELECT password_hash FROM users WHERE email = ?', [
        DEFAULT_DEMO_ADMIN_EMAIL,
      ]);
      expect(await verifyPassword(String(admin!.password_hash), password!)).to.equal(true);
      const again = await seedAuthDemo(db.orm, {});
      expect(again.notices).to.deep.equal([]);
      expect(again.inserted).to.deep.equal({ roles: 0, users: 0, user_roles: 0 });
    } finally {
      await db.drop();
    }
  });

  it('auth: an existing account named as administrator keeps its password and gains the admin role', async () => {
    const db = await openScratchDatabase('seed_auth_existing', authDatabase);
    try {
      const em = db.orm.em.fork();
      await em.execute(
        `INSERT INTO users (id, email, password_hash) VALUES (gen_random_uuid(), 'boss@shop.example', 'kept')`,
      );
      const result = await seedAuthDemo(db.orm, {
        AUTH_BOOTSTRAP_ADMIN_EMAIL: 'boss@shop.example',
        AUTH_BOOTSTRAP_ADMIN_PASSWORD: 'another password 7',
      });
      expect(result.inserted).to.deep.equal({ roles: DEMO_ROLES.length, users: 0, user_roles: 2 });
      expect(result.notices).to.deep.equal([]);
      const [user] = await rows(em, "SELECT password_hash FROM users WHERE email = 'boss@shop.example'");
      expect(user!.password_hash).to.equal('kept');
    } finally {
      await db.drop();
    }
  });

  it('auth: a password the policy refuses is a configuration error naming the setting, and nothing is written', async () => {
    const db: ScratchDatabase = await openScratchDatabase('seed_auth_bad', authDatabase);
    try {
      const failure = await seedAuthDemo(db.orm, { AUTH_BOOTSTRAP_ADMIN_PASSWORD: 'short' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).to.be.instanceOf(ConfigError);
      expect((failure as ConfigError).setting).to.equal('AUTH_BOOTSTRAP_ADMIN_PASSWORD');
      expect(await tableCounts(db.orm.em.fork())).to.include({ roles: 0, users: 0, user_roles: 0 });
    } finally {
      await db.drop();
    }
  });
});

describe('demo data: two seeds at once', function () {
  this.timeout(120_000);

  const seeds: [string, DatabaseDefinition, DemoSeed][] = [
    ['auth', authDatabase, seedAuthDemo],
    ['product', productDatabase, seedProductDemo],
    ['notification', notificationDatabase, seedNotificationDemo],
    ['discount', discountDatabase, seedDiscountDemo],
    ['shipping', shippingDatabase, seedShippingDemo],
  ];
  for (const [name, definition, seed] of seeds) {
    it(`${name}: both succeed and every row is inserted once`, async () => {
      const db = await openScratchDatabase(`seed_race_${definition.name}`, definition);
      try {
        const env = { AUTH_BOOTSTRAP_ADMIN_PASSWORD: 'race condition 42' };
        const [a, b] = await Promise.all([seed(db.orm, env), seed(db.orm, env)]);
        const counts = await tableCounts(db.orm.em.fork());
        for (const table of Object.keys(a!.inserted)) {
          expect(counts[table], table).to.be.greaterThan(0);
          expect(a!.inserted[table]! + b!.inserted[table]!, table).to.equal(counts[table]);
        }
        expect([...a!.notices, ...b!.notices].length).to.be.at.most(1);
      } finally {
        await db.drop();
      }
    });
  }
});

describe('demo data on the first start (SEED_DEMO_DATA, as `make run` sets it)', function () {
  this.timeout(180_000);

  let mesh: TestMesh;
  before(async () => {
    process.env.SEED_DEMO_DATA = 'true';
    try {
      // In this process even in the distributed run: this is about databases a start creates.
      mesh = await startTestMesh(['auth', 'product'], { inProcess: true });
    } finally {
      delete process.env.SEED_DEMO_DATA;
    }
  });
  after(() => mesh?.stop());

  it('a new store serves the demo catalog: GetProduct over gRPC finds a seeded product, published', async () => {
    const client = plainClient(ProductServiceClient, mesh.address('product'));
    try {
      for (const demo of [generateCatalog()[0]!, generateCatalog().at(-1)!]) {
        const { product } = await client.getProduct({ lookup: { $case: 'slug', value: demo.slug } });
        expect(product).to.include({
          sku: demo.sku,
          name: demo.name,
          slug: demo.slug,
          description: demo.description,
        });
        expect(product!.price).to.deep.equal({ currencyCode: 'EUR', amountMinor: demo.price });
        expect(product!.status).to.equal(ProductStatus.PRODUCT_STATUS_ACTIVE);
        expect(product!.variants.map((v) => v.sku)).to.deep.equal(demo.variants.map((v) => v.sku));
      }
    } finally {
      client.close();
    }
  });

  it('a shopper browses it with ListProducts: every seeded product, page by page, no token', async () => {
    const client = plainClient(ProductServiceClient, mesh.address('product'));
    try {
      const seen: string[] = [];
      let pageToken = '';
      do {
        const { products, page } = await client.listProducts(
          ListProductsRequest.fromPartial({ page: { pageSize: 100, pageToken } }),
        );
        seen.push(...products.map((p) => p.slug));
        pageToken = page?.nextPageToken ?? '';
      } while (pageToken);
      expect(new Set(seen).size).to.equal(seen.length);
      expect(seen.sort()).to.deep.equal(
        generateCatalog()
          .map((demo) => demo.slug)
          .sort(),
      );
    } finally {
      client.close();
    }
  });
});

describe('seedNewDatabase (the first-start hook)', () => {
  // Collects what the hook logs, instead of printing it.
  let logged: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });
  const orm = {} as Parameters<DemoSeed>[0];
  let calls = 0;
  const seed: DemoSeed = async () => {
    calls++;
    return { inserted: {}, notices: [] };
  };
  beforeEach(() => {
    calls = 0;
    logged = [];
  });

  it('seeds a new database when SEED_DEMO_DATA is on', async () => {
    await seedNewDatabase(seed, orm, { SEED_DEMO_DATA: 'true' }, { isNew: true, production: false, logger });
    expect(calls).to.equal(1);
  });

  it('leaves alone a database that existed, a production service, and any start that did not ask', async () => {
    await seedNewDatabase(seed, orm, { SEED_DEMO_DATA: 'true' }, { isNew: false, production: false, logger });
    await seedNewDatabase(seed, orm, { SEED_DEMO_DATA: 'true' }, { isNew: true, production: true, logger });
    await seedNewDatabase(seed, orm, {}, { isNew: true, production: false, logger });
    await seedNewDatabase(seed, orm, { SEED_DEMO_DATA: 'false' }, { isNew: true, production: false, logger });
    expect(calls).to.equal(0);
  });

  it('logs a failed seed and lets the service start', async () => {
    const failing: DemoSeed = async () => {
      throw new Error('disk full');
    };
    await seedNewDatabase(
      failing,
      orm,
      { SEED_DEMO_DATA: 'true' },
      { isNew: true, production: false, logger },
    );
    expect(logged.join('\n')).to.contain('demo data not loaded').and.to.contain('disk full');
  });
});

describe('make seed (scripts/seed.ts)', function () {
  this.timeout(60_000);

  it('refuses a production configuration, exit 2, before opening any database', async () => {
    const failure = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], {
      env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: 'postgres://seed-test.invalid:5432' },
    }).then(
      () => expect.fail('make seed must refuse production'),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure.code).to.equal(2);
    expect(failure.stderr).to.contain(
      'NODE_ENV is production: `make seed` loads demo data, never into production',
    );
  });
});
