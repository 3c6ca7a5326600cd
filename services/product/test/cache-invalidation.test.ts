import { expect } from 'chai';
import {
  CreateProductRequest,
  ListProductsRequest,
  StockStatus,
  UpdateProductRequest,
} from '../../../gen/ecommerce/product/v1/product.js';
import { EncodedResponse, type CallContext } from '../../../lib/grpc/index.js';
import { InProcessTransport, OutboxRelay, type TransportSubscription } from '../../../lib/events/index.js';
import { quietLogger } from '../../../lib/testing/quiet-logger.js';
import { eventually } from '../../../lib/testing/eventually.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { subscribeCacheInvalidation } from '../src/domain/cache/cache-invalidation.js';
import { CachedProductReads } from '../src/domain/cache/cached-reads.js';
import { ProductCache } from '../src/domain/cache/product-cache.js';
import { productDatabase } from '../src/database.js';
import { databaseProducts } from '../src/domain/catalog.js';
import { createCategory, setCategoryActive } from '../src/domain/categories.js';
import { createProduct } from '../src/domain/create-product.js';
import { productHandlers } from '../src/handlers.js';
import { productSettingsFrom } from '../src/settings.js';
import { updateProduct } from '../src/domain/update-product.js';
import { reserveStock } from '../src/domain/inventory/reservations.js';

/**
 * Two "replicas" of the product service's read cache on one database: a write made through one
 * (here: the domain functions, as its handlers call them) reaches the other's cache through the
 * outbox, the relay and each replica's own ephemeral subscription.
 */
describe('product read cache: invalidation on every replica', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let transport: InProcessTransport;
  let relay: OutboxRelay;
  const subscriptions: TransportSubscription[] = [];
  const replicas = [0, 1].map(() => new ProductCache({ ttlMs: 60_000, maxEntries: 100 }));
  let reads: CachedProductReads[];

  before(async () => {
    db = await openScratchDatabase('product_cache', productDatabase);
    reads = replicas.map((cache) => new CachedProductReads(cache, databaseProducts(db.orm)));
    transport = new InProcessTransport({ logger: quietLogger() });
    for (const cache of replicas)
      subscriptions.push(await subscribeCacheInvalidation(transport, cache, quietLogger()));
    relay = new OutboxRelay({
      orm: db.orm,
      transport,
      source: 'product',
      idlePollMs: 20,
      logger: quietLogger(),
    });
    relay.start();
    transport.open();
  });
  after(async () => {
    await relay?.stop();
    for (const subscription of subscriptions) await subscription.stop();
    await transport?.close();
    await db?.drop();
  });

  /** Every event written so far has reached every subscription (in process, published = delivered). */
  const drained = () =>
    eventually(
      async () => {
        const [row] = await db.orm.em
          .fork()
          .execute<{ n: number }[]>('SELECT count(*)::int AS n FROM infra.outbox WHERE published_at IS NULL');
        return row!.n === 0;
      },
      { what: 'the outbox to drain' },
    );

  const newProduct = async () => {
    const product = await createProduct(
      db.orm.em.fork(),
      CreateProductRequest.fromPartial({
        sku: `C-${Math.random().toString(36).slice(2, 10)}`.toUpperCase(),
        name: 'Cached tee',
        slug: `cached-${Math.random().toString(36).slice(2, 10)}`,
        price: { currencyCode: 'EUR', amountMinor: 1000 },
        variants: [
          { sku: `V-${Math.random().toString(36).slice(2, 10)}`.toUpperCase(), name: 'M', initialStock: 10 },
        ],
      }),
      5,
    );
    await drained();
    return product;
  };

  it('an update written through one replica is what both replicas read next', async () => {
    const product = await newProduct();
    for (const read of reads) expect((await read.one({ id: product.id }))!.name).to.equal('Cached tee');
    // Cached: the database changing behind the cache's back is not seen...
    await db.orm.em.fork().execute(`UPDATE products SET name = 'Sneaky' WHERE id = ?`, [product.id]);
    expect((await reads[1]!.one({ id: product.id }))!.name).to.equal('Cached tee');
    // ...but a change through the service (its event) reaches every replica.
    await updateProduct(
      db.orm.em.fork(),
      UpdateProductRequest.fromPartial({ productId: product.id, name: 'Renamed' }),
      5,
    );
    for (const read of reads) {
      await eventually(async () => (await read.one({ id: product.id }))!.name === 'Renamed', {
        what: 'the renamed product on every replica',
      });
    }
    expect((await reads[0]!.one({ slug: product.slug }))!.name).to.equal('Renamed');
  });

  it('a stock change that crosses the low-stock threshold reaches other replicas too', async () => {
    const product = await newProduct();
    const variantId = product.variants[0]!.id;
    await reads[1]!.many([product.id]);
    await reserveStock(
      db.orm.em.fork(),
      { orderId: crypto.randomUUID(), lines: [{ variantId, quantity: 6 }] },
      5,
    );
    await eventually(
      async () => (await reads[1]!.many([product.id]))[0]!.variants[0]!.availableQuantity === 4,
      { what: 'the new availability on the other replica' },
    );
  });

  it('a stock change that changes the stock status (low to out of stock) reaches other replicas too', async () => {
    const product = await newProduct(); // 10 units
    const variantId = product.variants[0]!.id;
    const reserve = (quantity: number) =>
      reserveStock(db.orm.em.fork(), { orderId: crypto.randomUUID(), lines: [{ variantId, quantity }] }, 5);
    await reserve(7); // 3 left: low stock (an event: the threshold was crossed)
    await drained();
    await eventually(
      async () =>
        (await reads[1]!.one({ id: product.id }))!.stockStatus === StockStatus.STOCK_STATUS_LOW_STOCK,
      { what: 'low stock on the other replica' },
    );
    await reserve(3); // none left: no threshold crossed, but the status changed
    await eventually(
      async () =>
        (await reads[1]!.one({ id: product.id }))!.stockStatus === StockStatus.STOCK_STATUS_OUT_OF_STOCK,
      { what: 'out of stock on the other replica' },
    );
  });

  it("a category change through one replica drops every replica's cached listings, not their products", async () => {
    // Each replica's handlers over its own cache; a shopper's call (no principal) reads through it.
    const handlersOf = (replica: number) => {
      const deps = {
        orm: db.orm,
        cache: replicas[replica]!,
        databaseReads: databaseProducts(db.orm),
        cachedReads: reads[replica]!,
        settings: productSettingsFrom({}),
      };
      return productHandlers(deps);
    };
    const shopper = { principal: undefined } as unknown as CallContext;
    const listed = async (replica: number, categoryId: string) => {
      const answer = await handlersOf(replica).listProducts.handle(
        ListProductsRequest.fromPartial({ categoryId }),
        shopper,
      );
      if (answer instanceof EncodedResponse) throw new Error('ListProducts answers with a message');
      return answer.products.map((product) => product.id);
    };
    const category = (name: string, parentId = '') =>
      createCategory(db.orm.em.fork(), {
        name,
        slug: `${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`,
        description: '',
        parentId,
        imageUrl: '',
      });
    const shoes = await category('Shoes');
    const boots = await category('Boots', shoes.id);
    const bags = await category('Bags');
    const product = await createProduct(
      db.orm.em.fork(),
      CreateProductRequest.fromPartial({
        sku: `CAT-${Math.random().toString(36).slice(2, 10)}`.toUpperCase(),
        name: 'Boot',
        slug: `boot-${Math.random().toString(36).slice(2, 10)}`,
        price: { currencyCode: 'EUR', amountMinor: 1000 },
        categoryIds: [boots.id],
      }),
      5,
    );
    await drained();
    expect(await listed(1, shoes.id)).to.deep.equal([product.id]);
    expect(await listed(1, bags.id)).to.deep.equal([]);
    await reads[1]!.one({ id: product.id });
    // Cached: the tree changing behind the service's back is not seen...
    await db.orm.em.fork().execute('UPDATE categories SET is_active = false WHERE id = ?', [boots.id]);
    expect(await listed(1, shoes.id)).to.deep.equal([product.id]);
    await db.orm.em.fork().execute('UPDATE categories SET is_active = true WHERE id = ?', [boots.id]);

    // ...but a move through replica 0 reaches replica 1's listings through its event.
    await handlersOf(0).moveCategory.handle(
      { categoryId: boots.id, parentId: bags.id, position: 0 },
      shopper,
    );
    await eventually(async () => (await listed(1, shoes.id)).length === 0, {
      what: 'the moved category gone from the old parent on the other replica',
    });
    expect(await listed(1, bags.id)).to.deep.equal([product.id]);
    expect(replicas[1]!.byId(product.id), 'product views do not depend on the tree').to.not.equal(undefined);

    // A deactivation too (here straight through the domain function, as a handler calls it).
    await setCategoryActive(db.orm.em.fork(), { categoryId: bags.id, active: false });
    await eventually(async () => (await listed(1, bags.id)).length === 0, {
      what: 'the hidden subtree gone from the other replica',
    });
  });

  it('never stores a value read before an invalidation that happened during the read', () => {
    const cache = new ProductCache({ ttlMs: 60_000, maxEntries: 10 });
    const view = { id: 'p1', slug: 's1' } as never;
    const generation = cache.generation();
    cache.invalidate('p1');
    cache.put(view, generation);
    expect(cache.byId('p1')).to.equal(undefined);
    cache.put(view, cache.generation());
    expect(cache.bySlug('s1')).to.equal(view);
  });

  it('serves nothing past its TTL, and keeps at most maxEntries products', async () => {
    const cache = new ProductCache({ ttlMs: 30, maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) cache.put({ id, slug: id } as never, cache.generation());
    expect(cache.byId('a')).to.equal(undefined);
    expect(cache.byId('c')).to.not.equal(undefined);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(cache.byId('c')).to.equal(undefined);
  });

  it('never answers an old slug with the product that left it, nor with one that took it', () => {
    const cache = new ProductCache({ ttlMs: 60_000, maxEntries: 2 });
    const view = (id: string, slug: string) => ({ id, slug }) as never;
    cache.put(view('p', 'old'), cache.generation());
    cache.put(view('q', 'q'), cache.generation());
    cache.put(view('r', 'r'), cache.generation()); // evicts p
    cache.invalidate('p'); // p's slug changes while it is out of the cache
    cache.put(view('p', 'new'), cache.generation());
    expect(cache.bySlug('old')).to.equal(undefined);
    expect(cache.bySlug('new')).to.include({ id: 'p' });
    cache.put(view('s', 'old'), cache.generation()); // another product takes the old slug
    expect(cache.bySlug('old')).to.include({ id: 's' });
  });

  it('a stopped replica subscription no longer holds up publishing', async () => {
    const extra = await subscribeCacheInvalidation(
      transport,
      new ProductCache({ ttlMs: 1000, maxEntries: 10 }),
      quietLogger(),
    );
    await extra.stop();
    const product = await newProduct();
    await updateProduct(
      db.orm.em.fork(),
      UpdateProductRequest.fromPartial({ productId: product.id, name: 'Again' }),
      5,
    );
    await eventually(async () => (await reads[0]!.one({ id: product.id }))!.name === 'Again', {
      timeoutMs: 3_000,
      what: 'delivery with a stopped ephemeral subscription around',
    });
  });
});
