import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { newId } from '../../../lib/ids.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { addItem } from '../src/domain/add-item.js';
import {
  countOf,
  depsWith,
  failureOf,
  MemoryCatalog,
  newSessionId,
  openCartDatabase,
  productWith,
} from './support.js';

describe('cart service: AddItem', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  const catalog = new MemoryCatalog();
  const deps = depsWith(catalog);

  before(async () => {
    db = await openCartDatabase('cart_add');
  });
  after(async () => {
    await db?.drop();
  });
  beforeEach(() => {
    catalog.down = false;
  });

  const lineOf = (product: ReturnType<typeof productWith>, quantity = 1, k = 0) => ({
    cartId: '',
    productId: product.id,
    variantId: product.variants[k]!.id,
    quantity,
  });

  it('creates a guest cart holding the line, priced from the catalog, with cached totals', async () => {
    const product = catalog.add(productWith([10], { price: 1250 }));
    const sessionId = newSessionId();
    const cart = await addItem(db.orm.em.fork(), deps, { sessionId }, lineOf(product, 3));
    expect(cart).to.deep.include({
      sessionId,
      userId: '',
      currencyCode: 'EUR',
      itemCount: 3,
      couponCode: '',
    });
    expect(cart.items).to.have.length(1);
    expect(cart.items[0]).to.deep.include({
      productName: 'Plain tee',
      productSku: product.variants[0]!.sku,
      quantity: 3,
      unitPrice: { currencyCode: 'EUR', amountMinor: 1250 },
      lineTotal: { currencyCode: 'EUR', amountMinor: 3750 },
    });
    expect(cart.subtotal).to.deep.equal({ currencyCode: 'EUR', amountMinor: 3750 });
    expect(cart.expiresAt!.getTime()).to.be.greaterThan(Date.now() + 6 * 86_400_000);
    const [cached] = await db.orm.em
      .fork()
      .execute('SELECT subtotal::text, item_count FROM carts WHERE id = ?', [cart.id]);
    expect(cached).to.deep.equal({ subtotal: '37.50', item_count: 3 });
  });

  it('adds to the same line, refreshing its price snapshot, and keeps other lines in order', async () => {
    const product = catalog.add(productWith([10, 10], { price: 1000 }));
    const owner = { sessionId: newSessionId() };
    const first = await addItem(db.orm.em.fork(), deps, owner, lineOf(product, 1, 0));
    await addItem(db.orm.em.fork(), deps, owner, { ...lineOf(product, 1, 1), cartId: first.id });
    product.variants[0]!.price = { currencyCode: 'EUR', amountMinor: 900 };
    const cart = await addItem(db.orm.em.fork(), deps, owner, { ...lineOf(product, 2, 0), cartId: first.id });
    expect(
      cart.items.map((item) => [item.variantId, item.quantity, item.unitPrice!.amountMinor]),
    ).to.deep.equal([
      [product.variants[0]!.id, 3, 900],
      [product.variants[1]!.id, 1, 1000],
    ]);
    expect(cart.subtotal!.amountMinor).to.equal(3700);
  });

  it("snapshots the variant's image, else the product's main image", async () => {
    const product = catalog.add(productWith([5, 5]));
    product.images = [
      { id: newId(), url: 'https://img.example/side.jpg', altText: '', primary: false },
      { id: newId(), url: 'https://img.example/main.jpg', altText: '', primary: true },
    ];
    product.variants[1]!.imageUrl = 'https://img.example/red.jpg';
    const owner = { userId: newId() };
    await addItem(db.orm.em.fork(), deps, owner, lineOf(product, 1, 0));
    const cart = await addItem(db.orm.em.fork(), deps, owner, lineOf(product, 1, 1));
    expect(cart.items.map((item) => item.productImageUrl)).to.deep.equal([
      'https://img.example/main.jpg',
      'https://img.example/red.jpg',
    ]);
    const guest = await addItem(db.orm.em.fork(), deps, { sessionId: newSessionId() }, lineOf(product, 1, 1));
    expect(guest.items[0]!.productImageUrl).to.equal('https://img.example/red.jpg');
  });

  it('gives a customer one active cart, reused by every add without cart_id', async () => {
    const product = catalog.add(productWith([100]));
    const userId = newId();
    const a = await addItem(db.orm.em.fork(), deps, { userId }, lineOf(product, 1));
    const b = await addItem(db.orm.em.fork(), deps, { userId }, lineOf(product, 1));
    expect(b.id).to.equal(a.id);
    expect(b.items[0]!.quantity).to.equal(2);
  });

  it('gives a customer one active cart however many first adds race', async () => {
    const product = catalog.add(productWith([100]));
    const userId = newId();
    const carts = await Promise.all(
      Array.from({ length: 8 }, () => addItem(db.orm.em.fork(), deps, { userId }, lineOf(product, 1))),
    );
    expect(new Set(carts.map((cart) => cart.id)).size).to.equal(1);
    expect(await countOf(db, 'carts WHERE user_id = ?', [userId])).to.equal(1);
    const [cached] = await db.orm.em
      .fork()
      .execute('SELECT subtotal::text, item_count FROM carts WHERE user_id = ?', [userId]);
    expect(cached).to.deep.equal({ subtotal: '159.92', item_count: 8 });
  });

  it('adds up 40 parallel adds to one line exactly', async () => {
    const product = catalog.add(productWith([1000]));
    const owner = { sessionId: newSessionId() };
    const cart = await addItem(db.orm.em.fork(), deps, owner, lineOf(product, 1));
    await Promise.all(
      Array.from({ length: 40 }, () =>
        addItem(db.orm.em.fork(), deps, owner, { ...lineOf(product, 2), cartId: cart.id }),
      ),
    );
    const [row] = await db.orm.em
      .fork()
      .execute('SELECT quantity FROM cart_items WHERE cart_id = ?', [cart.id]);
    expect(row).to.deep.equal({ quantity: 81 });
    const [cached] = await db.orm.em
      .fork()
      .execute('SELECT subtotal::text, item_count FROM carts WHERE id = ?', [cart.id]);
    expect(cached).to.deep.equal({ subtotal: '1619.19', item_count: 81 });
  });

  it('keeps the cached totals exact when parallel adds hit different lines of one cart', async () => {
    const product = catalog.add(productWith(Array(10).fill(50), { price: 100 }));
    const owner = { sessionId: newSessionId() };
    const cart = await addItem(db.orm.em.fork(), deps, owner, lineOf(product, 1, 0));
    await Promise.all(
      product.variants.map((_, k) =>
        addItem(db.orm.em.fork(), deps, owner, { ...lineOf(product, 3, k), cartId: cart.id }),
      ),
    );
    const [cached] = await db.orm.em
      .fork()
      .execute('SELECT subtotal::text, item_count FROM carts WHERE id = ?', [cart.id]);
    expect(cached).to.deep.equal({ subtotal: '31.00', item_count: 31 });
  });

  it('names every field at fault, and asks nobody anything', async () => {
    const before = catalog.calls.getProduct;
    const failure = await failureOf(
      addItem(
        db.orm.em.fork(),
        deps,
        { sessionId: newSessionId() },
        {
          cartId: 'nope',
          productId: '',
          variantId: 'x',
          quantity: 100,
        },
      ),
    );
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations!.map((v) => v.field)).to.deep.equal([
      'cart_id',
      'product_id',
      'variant_id',
      'quantity',
    ]);
    expect(catalog.calls.getProduct).to.equal(before);
    const zero = await failureOf(
      addItem(db.orm.em.fork(), deps, { sessionId: newSessionId() }, { ...lineOf(productWith([1]), 0) }),
    );
    expect(zero.violations).to.deep.equal([
      { field: 'quantity', description: 'must be a whole number from 1 to 99' },
    ]);
  });

  it('answers NOT_FOUND for an unknown or unpublished product, INVALID_ARGUMENT for a foreign variant', async () => {
    const owner = { sessionId: newSessionId() };
    const unknown = await failureOf(addItem(db.orm.em.fork(), deps, owner, lineOf(productWith([5]))));
    expect(unknown.code).to.equal(status.NOT_FOUND);
    const hidden = catalog.add({ ...productWith([5]), visible: false });
    expect((await failureOf(addItem(db.orm.em.fork(), deps, owner, lineOf(hidden)))).code).to.equal(
      status.NOT_FOUND,
    );

    const product = catalog.add(productWith([5]));
    const other = productWith([5]);
    const foreign = await failureOf(
      addItem(db.orm.em.fork(), deps, owner, { ...lineOf(product), variantId: other.variants[0]!.id }),
    );
    expect(foreign.code).to.equal(status.INVALID_ARGUMENT);
    expect(foreign.violations).to.deep.equal([
      { field: 'variant_id', description: `is not a variant of product ${product.id}` },
    ]);
    expect(await countOf(db, 'carts WHERE session_id = ?', [owner.sessionId])).to.equal(0);
  });

  it('refuses more than the stock, the line maximum, or another currency, and writes nothing', async () => {
    const owner = { sessionId: newSessionId() };
    const product = catalog.add(productWith([3, 500]));
    const short = await failureOf(addItem(db.orm.em.fork(), deps, owner, lineOf(product, 4)));
    expect(short.code).to.equal(status.FAILED_PRECONDITION);
    expect(short.message).to.match(/only 3 of .* available \(the line would hold 4\)/);
    expect(short.reason).to.equal('OUT_OF_STOCK');
    expect(short.metadata).to.include({ product_id: product.id, available: '3', requested: '4' });
    expect(await countOf(db, 'carts WHERE session_id = ?', [owner.sessionId])).to.equal(0);

    const cart = await addItem(db.orm.em.fork(), deps, owner, lineOf(product, 90, 1));
    const line = await failureOf(
      addItem(db.orm.em.fork(), deps, owner, { ...lineOf(product, 10, 1), cartId: cart.id }),
    );
    expect(line.code).to.equal(status.FAILED_PRECONDITION);
    expect(line.message).to.equal('a cart line holds at most 99 units (this one would hold 100)');
    expect(line.reason).to.equal('CART_LIMIT_EXCEEDED');

    const dollars = catalog.add(productWith([5], { currency: 'USD' }));
    const currency = await failureOf(
      addItem(db.orm.em.fork(), deps, owner, { ...lineOf(dollars), cartId: cart.id }),
    );
    expect(currency.code).to.equal(status.FAILED_PRECONDITION);
    expect(currency.message).to.match(/cart is in EUR/);
    expect(currency.reason).to.equal('CURRENCY_MISMATCH');
    const [row] = await db.orm.em
      .fork()
      .execute('SELECT quantity FROM cart_items WHERE cart_id = ?', [cart.id]);
    expect(row).to.deep.equal({ quantity: 90 });
  });

  it('refuses a product that is not on sale with FAILED_PRECONDITION', async () => {
    // A product service answering an archived product (an editor's view) still cannot sell it.
    const archived = { ...productWith([5]), status: 3 };
    const catalogShowingArchived = new MemoryCatalog();
    catalogShowingArchived.getProduct = async () => archived;
    const failure = await failureOf(
      addItem(
        db.orm.em.fork(),
        depsWith(catalogShowingArchived),
        { sessionId: newSessionId() },
        lineOf(archived),
      ),
    );
    expect(failure.code).to.equal(status.FAILED_PRECONDITION);
    expect(failure.message).to.equal(`product ${archived.id} is not on sale`);
    expect(failure.reason).to.equal('NOT_FOR_SALE');
    expect(failure.metadata).to.deep.equal({ product_id: archived.id });
  });

  it('answers UNAVAILABLE while the catalog is down, and writes nothing', async () => {
    const product = catalog.add(productWith([5]));
    const owner = { sessionId: newSessionId() };
    catalog.down = true;
    const failure = await failureOf(addItem(db.orm.em.fork(), deps, owner, lineOf(product)));
    expect(failure.code).to.equal(status.UNAVAILABLE);
    expect(await countOf(db, 'carts WHERE session_id = ?', [owner.sessionId])).to.equal(0);
  });

  it('refuses a cart of another owner with NOT_FOUND, before asking the catalog', async () => {
    const product = catalog.add(productWith([5]));
    const cart = await addItem(db.orm.em.fork(), deps, { sessionId: newSessionId() }, lineOf(product));
    catalog.down = true;
    for (const stranger of [{ sessionId: newSessionId() }, { userId: newId() }]) {
      const failure = await failureOf(
        addItem(db.orm.em.fork(), deps, stranger, { ...lineOf(product), cartId: cart.id }),
      );
      expect(failure.code).to.equal(status.NOT_FOUND);
      expect(failure.message).to.equal(`cart ${cart.id} not found`);
    }
  });

  it('caps a cart at 100 lines', async () => {
    const product = catalog.add(productWith(Array(101).fill(5), { price: 1 }));
    const owner = { userId: newId() };
    for (let k = 0; k < 100; k++) await addItem(db.orm.em.fork(), deps, owner, lineOf(product, 1, k));
    const failure = await failureOf(addItem(db.orm.em.fork(), deps, owner, lineOf(product, 1, 100)));
    expect(failure.code).to.equal(status.FAILED_PRECONDITION);
    expect(failure.message).to.equal('a cart holds at most 100 lines (this one would hold 101)');
  });
});
