import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { CartStatus, MergeOutcome } from '../../../gen/ecommerce/cart/v1/cart.js';
import { newId } from '../../../lib/ids.js';
import { MAX_AMOUNT_MINOR } from '../../../lib/money.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { addItem } from '../src/domain/add-item.js';
import { applyCoupon } from '../src/domain/coupons.js';
import { getCart } from '../src/domain/get-cart.js';
import { mergeCarts } from '../src/domain/merge-carts.js';
import {
  depsWith,
  discountsAccepting,
  failureOf,
  MemoryCatalog,
  newSessionId,
  openCartDatabase,
  productWith,
} from './support.js';

describe('cart service: MergeCarts', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  const catalog = new MemoryCatalog();
  const deps = depsWith(catalog, undefined, discountsAccepting('HELLO'));
  const em = () => db.orm.em.fork();

  before(async () => {
    db = await openCartDatabase('cart_merge');
  });
  after(async () => {
    await db?.drop();
  });
  beforeEach(() => {
    catalog.down = false;
  });

  const add = (
    owner: { userId: string } | { sessionId: string },
    product: ReturnType<typeof productWith>,
    quantity: number,
    k = 0,
    cartId = '',
  ) =>
    addItem(em(), deps, owner, {
      cartId,
      productId: product.id,
      variantId: product.variants[k]!.id,
      quantity,
    });

  it("adds the guest's lines to the customer's cart, reports each, and leaves the guest cart merged", async () => {
    const product = catalog.add(productWith([50, 50, 50], { price: 500 }));
    const userId = newId();
    const sessionId = newSessionId();
    const mine = await add({ userId }, product, 2, 0);
    const guestCart = await add({ sessionId }, product, 3, 0);
    await add({ sessionId }, product, 1, 1, guestCart.id);
    await applyCoupon(em(), deps, { sessionId }, { cartId: guestCart.id, couponCode: 'hello' });

    const merged = await mergeCarts(em(), deps, userId, sessionId);
    expect(merged.cart!.id).to.equal(mine.id);
    expect(merged.cart!.items.map((i) => [i.variantId, i.quantity])).to.deep.equal([
      [product.variants[0]!.id, 5],
      [product.variants[1]!.id, 1],
    ]);
    expect(merged.cart).to.deep.include({ couponCode: 'HELLO', itemCount: 6 });
    expect(merged.cart!.subtotal!.amountMinor).to.equal(3000);
    expect(merged.mergedCartIds).to.deep.equal([guestCart.id]);
    expect(merged.lines).to.deep.equal([
      {
        productId: product.id,
        variantId: product.variants[0]!.id,
        guestQuantity: 3,
        requestedQuantity: 5,
        quantity: 5,
        outcome: MergeOutcome.MERGE_OUTCOME_MERGED,
      },
      {
        productId: product.id,
        variantId: product.variants[1]!.id,
        guestQuantity: 1,
        requestedQuantity: 1,
        quantity: 1,
        outcome: MergeOutcome.MERGE_OUTCOME_MERGED,
      },
    ]);
    const guestNow = (await getCart(em(), deps, { sessionId }, guestCart.id)).cart!;
    expect(guestNow).to.deep.include({ status: CartStatus.CART_STATUS_MERGED, mergedIntoCartId: mine.id });

    // Again: nothing left to merge, the customer's cart unchanged.
    const again = await mergeCarts(em(), deps, userId, sessionId);
    expect(again.mergedCartIds).to.deep.equal([]);
    expect(again.lines).to.deep.equal([]);
    expect(again.cart!.items.map((i) => i.quantity)).to.deep.equal([5, 1]);
  });

  it('creates the customer cart when there is none, in the guest currency', async () => {
    const product = catalog.add(productWith([5], { currency: 'USD' }));
    const sessionId = newSessionId();
    const userId = newId();
    await add({ sessionId }, product, 2);
    const merged = await mergeCarts(em(), deps, userId, sessionId);
    expect(merged.cart).to.deep.include({ userId, currencyCode: 'USD', itemCount: 2, sessionId: '' });
  });

  it('answers without a cart when the customer has none and the session has nothing to merge', async () => {
    const merged = await mergeCarts(em(), deps, newId(), newSessionId());
    expect(merged).to.deep.equal({ cart: undefined, mergedCartIds: [], lines: [] });
  });

  it('caps a guest line by the largest subtotal a cart may reach, the catalog price limit', async () => {
    const dear = catalog.add(productWith([10, 10], { price: MAX_AMOUNT_MINOR / 3 }));
    const userId = newId();
    const sessionId = newSessionId();
    await add({ userId }, dear, 1, 0);
    await add({ sessionId }, dear, 3, 1);
    const merged = await mergeCarts(em(), deps, userId, sessionId);
    expect(merged.lines[0]).to.include({
      requestedQuantity: 3,
      quantity: 2,
      outcome: MergeOutcome.MERGE_OUTCOME_LIMITED_BY_CART_MAXIMUM,
    });
    expect(merged.cart!.subtotal).to.deep.equal({ currencyCode: 'EUR', amountMinor: MAX_AMOUNT_MINOR });
  });

  it('caps by line maximum, stock and cart maximum, drops unavailable and other-currency lines, never lowers a line', async () => {
    const eur = catalog.add(productWith([500, 4, 500, 500, 1], { price: 100 }));
    const usd = catalog.add(productWith([10], { currency: 'USD' }));
    const gone = catalog.add(productWith([10]));
    const userId = newId();
    const sessionId = newSessionId();
    // The customer: 90 of v0, 3 of v4 (stock has since fallen to 1), 90 × 9 of other products.
    const mine = await add({ userId }, eur, 90, 0);
    catalog.products.get(eur.id)!.variants[4]!.availableQuantity = 10;
    await add({ userId }, eur, 3, 4, mine.id);
    catalog.products.get(eur.id)!.variants[4]!.availableQuantity = 1;
    const filler = catalog.add(productWith(Array(9).fill(100), { price: 1 }));
    for (let k = 0; k < 9; k++) await add({ userId }, filler, 90, k, mine.id); // 903 units in all

    const guest = await add({ sessionId }, eur, 20, 0); // 90 + 20 > 99
    await add({ sessionId }, eur, 3, 1, guest.id); // stock 4, ok in the guest cart...
    await add({ sessionId }, eur, 1, 4, guest.id); // customer holds 3, stock now 1
    await add({ sessionId }, gone, 1, 0, guest.id);
    await add({ sessionId }, eur, 90, 2, guest.id); // cart would exceed 999 units
    catalog.products.get(eur.id)!.variants[1]!.availableQuantity = 2; // ...but only 2 left now
    gone.visible = false;
    const dollarSession = newSessionId();
    await add({ sessionId: dollarSession }, usd, 1);

    const merged = await mergeCarts(em(), deps, userId, sessionId);
    const outcome = (variantId: string) => merged.lines.find((l) => l.variantId === variantId);
    expect(outcome(eur.variants[0]!.id)).to.include({
      requestedQuantity: 110,
      quantity: 99,
      outcome: MergeOutcome.MERGE_OUTCOME_LIMITED_BY_LINE_MAXIMUM,
    });
    expect(outcome(eur.variants[1]!.id)).to.include({
      requestedQuantity: 3,
      quantity: 2,
      outcome: MergeOutcome.MERGE_OUTCOME_LIMITED_BY_STOCK,
    });
    expect(outcome(eur.variants[4]!.id)).to.include({
      requestedQuantity: 4,
      quantity: 3,
      outcome: MergeOutcome.MERGE_OUTCOME_LIMITED_BY_STOCK,
    });
    expect(outcome(gone.variants[0]!.id)).to.include({
      quantity: 0,
      outcome: MergeOutcome.MERGE_OUTCOME_DROPPED_UNAVAILABLE,
    });
    // 903 + 9 (v0) + 2 (v1) = 914 units before v2: 85 more fit.
    expect(outcome(eur.variants[2]!.id)).to.include({
      requestedQuantity: 90,
      quantity: 85,
      outcome: MergeOutcome.MERGE_OUTCOME_LIMITED_BY_CART_MAXIMUM,
    });
    expect(merged.cart!.itemCount).to.equal(999);

    const dollars = await mergeCarts(em(), deps, userId, dollarSession);
    expect(dollars.lines).to.deep.equal([
      {
        productId: usd.id,
        variantId: usd.variants[0]!.id,
        guestQuantity: 1,
        requestedQuantity: 1,
        quantity: 0,
        outcome: MergeOutcome.MERGE_OUTCOME_DROPPED_CURRENCY,
      },
    ]);
    expect(dollars.mergedCartIds).to.have.length(1);
  });

  it('merges every active cart of the session, oldest first', async () => {
    const product = catalog.add(productWith([50, 50]));
    const sessionId = newSessionId();
    const first = await add({ sessionId }, product, 1, 0);
    const second = await add({ sessionId }, product, 2, 0); // a guest add without cart_id opens a new cart
    const merged = await mergeCarts(em(), deps, newId(), sessionId);
    expect(merged.mergedCartIds).to.deep.equal([first.id, second.id]);
    expect(merged.cart!.items[0]!.quantity).to.equal(3);
  });

  it('lets exactly one of parallel merges of one session move the lines', async () => {
    const product = catalog.add(productWith([100]));
    const userId = newId();
    const sessionId = newSessionId();
    await add({ sessionId }, product, 4);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => mergeCarts(em(), deps, userId, sessionId)),
    );
    expect(results.filter((r) => r.mergedCartIds.length === 1)).to.have.length(1);
    for (const result of results) expect(result.cart!.items[0]!.quantity).to.equal(4);
    const [row] = await em().execute(
      `SELECT count(*)::int AS carts, sum(item_count)::int AS units FROM carts WHERE user_id = ?`,
      [userId],
    );
    expect(row).to.deep.equal({ carts: 1, units: 4 });
  });

  it('answers ABORTED, merging nothing, when a guest line appears while the catalog is asked', async () => {
    const product = catalog.add(productWith([100]));
    const late = catalog.add(productWith([100]));
    const sessionId = newSessionId();
    const guest = await add({ sessionId }, product, 1);
    const racing = new MemoryCatalog();
    racing.add(product);
    racing.add(late);
    racing.getProducts = async (ids) => {
      // The shopper adds another product in another tab while the merge waits for the catalog.
      await addItem(
        em(),
        depsWith(racing),
        { sessionId },
        {
          cartId: guest.id,
          productId: late.id,
          variantId: late.variants[0]!.id,
          quantity: 1,
        },
      );
      return MemoryCatalog.prototype.getProducts.call(racing, ids);
    };
    const failure = await failureOf(mergeCarts(em(), depsWith(racing), newId(), sessionId));
    expect(failure.code).to.equal(status.ABORTED);
    expect(failure.message).to.equal('the guest cart changed while it was being merged; retry');
    const after = (await getCart(em(), deps, { sessionId }, guest.id)).cart!;
    expect(after.status).to.equal(CartStatus.CART_STATUS_ACTIVE);
    expect(after.items).to.have.length(2);
    // A retry merges both lines.
    expect((await mergeCarts(em(), deps, newId(), sessionId)).lines).to.have.length(2);
  });

  it('answers UNAVAILABLE while the catalog is down and merges nothing', async () => {
    const product = catalog.add(productWith([100]));
    const sessionId = newSessionId();
    const guest = await add({ sessionId }, product, 1);
    catalog.down = true;
    const failure = await failureOf(mergeCarts(em(), deps, newId(), sessionId));
    expect(failure.code).to.equal(status.UNAVAILABLE);
    expect((await getCart(em(), deps, { sessionId }, guest.id)).cart!.status).to.equal(
      CartStatus.CART_STATUS_ACTIVE,
    );
  });
});
