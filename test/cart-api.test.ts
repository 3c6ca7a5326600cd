import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { CartStatus, CatalogCheck, LineAvailability, MergeOutcome } from '../gen/ecommerce/cart/v1/cart.js';
import { UpdateProductRequest, type Product } from '../gen/ecommerce/product/v1/product.js';
import { newId } from '../lib/ids.js';
import { MAX_AMOUNT_MINOR } from '../lib/money.js';
import { adminToken, customerToken, newSessionId, productMaker } from './cart-support.js';
import { clientsFor, failureOf } from './support/clients.js';
import { startTestMesh, type TestMesh } from './support/mesh.js';
import { internalToken } from './support/tokens.js';

describe('cart API over gRPC: every RPC, ownership, merges', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let api: ReturnType<typeof clientsFor>;
  let makeProduct: (stock: number[], price?: number) => Promise<Product>;

  before(async () => {
    mesh = await startTestMesh(['auth', 'product', 'cart']);
    api = clientsFor((name) => mesh.address(name));
    makeProduct = await productMaker(api);
  });
  after(async () => {
    for (const client of Object.values(api ?? {})) client.close();
    await mesh?.stop();
  });

  const line = (product: Product, quantity: number, k = 0) => ({
    productId: product.id,
    variantId: product.variants[k]!.id,
    quantity,
  });

  it('takes a guest cart through every RPC', async () => {
    const product = await makeProduct([10, 10], 1000);
    const sessionId = newSessionId();
    const { cart } = await api.cart.addItem({ cartId: '', sessionId, ...line(product, 2) });
    const cartId = cart!.id;
    await api.cart.addItem({ cartId, sessionId, ...line(product, 1, 1) });

    const read = await api.cart.getCart({ cartId: '', sessionId });
    expect(read.cart!.id).to.equal(cartId);
    expect(read.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_DONE);
    expect(read.changedLines).to.deep.equal([]);
    expect(read.cart).to.deep.include({ status: CartStatus.CART_STATUS_ACTIVE, itemCount: 3 });
    const [first, second] = read.cart!.items;

    const updated = await api.cart.updateItemQuantity({ cartId, sessionId, itemId: first!.id, quantity: 5 });
    expect(updated.cart!.items[0]!.quantity).to.equal(5);
    const removed = await api.cart.removeItem({ cartId, sessionId, itemId: second!.id });
    expect(removed.cart!.items.map((i) => i.id)).to.deep.equal([first!.id]);
    const withCoupon = await api.cart.applyCoupon({ cartId, sessionId, couponCode: 'welcome10' });
    expect(withCoupon.cart!.couponCode).to.equal('WELCOME10');
    expect((await api.cart.removeCoupon({ cartId, sessionId })).cart!.couponCode).to.equal('');
    const cleared = await api.cart.clearCart({ cartId, sessionId });
    expect(cleared.cart).to.deep.include({ itemCount: 0, subtotal: { currencyCode: 'EUR', amountMinor: 0 } });
    const empty = await api.cart.getCart({ cartId, sessionId });
    expect(empty.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_NOT_NEEDED);
  });

  it("holds a product at the catalog's largest price once; a change past the largest subtotal is FAILED_PRECONDITION", async () => {
    const [dearest, other] = [await makeProduct([10], MAX_AMOUNT_MINOR), await makeProduct([10], 1)];
    const sessionId = newSessionId();
    const tooMuch = await failureOf(api.cart.addItem({ cartId: '', sessionId, ...line(dearest, 2) }));
    expect(tooMuch.code).to.equal(status.FAILED_PRECONDITION);
    expect(tooMuch.details).to.equal(
      `a cart's subtotal is at most ${MAX_AMOUNT_MINOR} minor units (this one would be ${2 * MAX_AMOUNT_MINOR})`,
    );
    const { cart } = await api.cart.addItem({ cartId: '', sessionId, ...line(dearest, 1) });
    const cartId = cart!.id;
    expect(cart!.subtotal).to.deep.equal({ currencyCode: 'EUR', amountMinor: MAX_AMOUNT_MINOR });
    const refusals = [
      await failureOf(api.cart.addItem({ cartId, sessionId, ...line(dearest, 1) })),
      await failureOf(api.cart.addItem({ cartId, sessionId, ...line(other, 1) })),
      await failureOf(
        api.cart.updateItemQuantity({ cartId, sessionId, itemId: cart!.items[0]!.id, quantity: 2 }),
      ),
    ];
    expect(refusals.map((failure) => failure.code)).to.deep.equal(Array(3).fill(status.FAILED_PRECONDITION));
    const read = await api.cart.getCart({ cartId, sessionId });
    expect(read.cart).to.deep.include({
      itemCount: 1,
      subtotal: { currencyCode: 'EUR', amountMinor: MAX_AMOUNT_MINOR },
    });
  });

  it('reports a price change and an archived product from the real catalog, keeping the snapshot', async () => {
    const [repriced, archived] = [await makeProduct([10], 1000), await makeProduct([10], 500)];
    const sessionId = newSessionId();
    const { cart } = await api.cart.addItem({ cartId: '', sessionId, ...line(repriced, 2) });
    await api.cart.addItem({ cartId: cart!.id, sessionId, ...line(archived, 1) });
    const token = await adminToken(api);
    await api.product.updateProduct(
      UpdateProductRequest.fromPartial({
        productId: repriced.id,
        price: { currencyCode: 'EUR', amountMinor: 1100 },
      }),
      { token },
    );
    await api.product.archiveProduct({ productId: archived.id }, { token });

    const read = await api.cart.getCart({ cartId: cart!.id, sessionId });
    expect(read.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_DONE);
    expect(
      read.changedLines.map((c) => [
        c.productId,
        c.priceChanged,
        c.currentUnitPrice?.amountMinor,
        c.availability,
      ]),
    ).to.deep.equal([
      [repriced.id, true, 1100, LineAvailability.LINE_AVAILABILITY_IN_STOCK],
      [archived.id, false, undefined, LineAvailability.LINE_AVAILABILITY_UNAVAILABLE],
    ]);
    expect(read.cart!.subtotal!.amountMinor).to.equal(2 * 1000 + 500);

    // Raising the repriced line takes the new price; the archived one can no longer be raised.
    const raised = await api.cart.updateItemQuantity({
      cartId: cart!.id,
      sessionId,
      itemId: read.cart!.items[0]!.id,
      quantity: 3,
    });
    expect(raised.cart!.items[0]!.unitPrice!.amountMinor).to.equal(1100);
    const gone = await failureOf(
      api.cart.updateItemQuantity({
        cartId: cart!.id,
        sessionId,
        itemId: read.cart!.items[1]!.id,
        quantity: 2,
      }),
    );
    expect(gone.code).to.equal(status.FAILED_PRECONDITION);
    expect(gone.errorInfo?.reason).to.equal('NO_LONGER_AVAILABLE');
    const refused = await failureOf(api.cart.addItem({ cartId: cart!.id, sessionId, ...line(archived, 1) }));
    expect(refused.code).to.equal(status.NOT_FOUND);
  });

  it('answers every RPC with precise statuses and field violations for bad input', async () => {
    const sessionId = newSessionId();
    const noSession = await failureOf(api.cart.getCart({ cartId: '', sessionId: '' }));
    expect(noSession.code).to.equal(status.INVALID_ARGUMENT);
    expect(noSession.violations[0]?.field).to.equal('session_id');

    const update = await failureOf(
      api.cart.updateItemQuantity({ cartId: 'x', sessionId, itemId: '', quantity: 120 }),
    );
    expect(update.code).to.equal(status.INVALID_ARGUMENT);
    expect(update.violations.map((v) => v.field)).to.deep.equal(['cart_id', 'item_id', 'quantity']);
    const remove = await failureOf(api.cart.removeItem({ cartId: newId(), sessionId, itemId: 'nope' }));
    expect(remove.violations).to.deep.equal([{ field: 'item_id', description: 'must be a UUID' }]);
    const clear = await failureOf(api.cart.clearCart({ cartId: '', sessionId }));
    expect(clear.violations).to.deep.equal([{ field: 'cart_id', description: 'is required' }]);
    const coupon = await failureOf(api.cart.applyCoupon({ cartId: newId(), sessionId, couponCode: 'a b' }));
    expect(coupon.violations[0]?.field).to.equal('coupon_code');
    const uncoupon = await failureOf(api.cart.removeCoupon({ cartId: 'x', sessionId }));
    expect(uncoupon.violations[0]?.field).to.equal('cart_id');

    for (const call of [
      () => api.cart.getCart({ cartId: newId(), sessionId }),
      () => api.cart.clearCart({ cartId: newId(), sessionId }),
      () => api.cart.removeCoupon({ cartId: newId(), sessionId }),
    ]) {
      expect((await failureOf(call())).code).to.equal(status.NOT_FOUND);
    }

    const product = await makeProduct([2]);
    const short = await failureOf(api.cart.addItem({ cartId: '', sessionId, ...line(product, 3) }));
    expect(short.code).to.equal(status.FAILED_PRECONDITION);
    // A client tells out-of-stock from not-for-sale by the reason, not the message.
    expect(short.errorInfo).to.deep.equal({
      reason: 'OUT_OF_STOCK',
      metadata: {
        product_id: product.id,
        variant_id: product.variants[0]!.id,
        available: '2',
        requested: '3',
      },
    });
    const unknown = await failureOf(
      api.cart.addItem({ cartId: '', sessionId, productId: newId(), variantId: newId(), quantity: 1 }),
    );
    expect(unknown.code).to.equal(status.NOT_FOUND);
    // Nothing of that was written.
    expect((await failureOf(api.cart.getCart({ cartId: '', sessionId }))).code).to.equal(status.NOT_FOUND);
  });

  it('keeps a cart from a second session and from customers, on every RPC', async () => {
    const product = await makeProduct([10]);
    const sessionId = newSessionId();
    const { cart } = await api.cart.addItem({ cartId: '', sessionId, ...line(product, 1) });
    const cartId = cart!.id;
    const itemId = cart!.items[0]!.id;
    const alice = await customerToken(mesh);
    const { cart: alicesCart } = await api.cart.addItem(
      { cartId: '', sessionId: '', ...line(product, 1) },
      { token: alice.token },
    );
    const bob = await customerToken(mesh);
    const other = newSessionId();

    const attempts = (id: string, session: string, token?: string) => [
      () => api.cart.getCart({ cartId: id, sessionId: session }, { token }),
      () => api.cart.addItem({ cartId: id, sessionId: session, ...line(product, 1) }, { token }),
      () => api.cart.updateItemQuantity({ cartId: id, sessionId: session, itemId, quantity: 2 }, { token }),
      () => api.cart.removeItem({ cartId: id, sessionId: session, itemId }, { token }),
      () => api.cart.clearCart({ cartId: id, sessionId: session }, { token }),
      () => api.cart.applyCoupon({ cartId: id, sessionId: session, couponCode: 'STEAL' }, { token }),
      () => api.cart.removeCoupon({ cartId: id, sessionId: session }, { token }),
    ];
    // Another guest; a customer, even one presenting the guest's session id (a token wins).
    for (const call of [...attempts(cartId, other), ...attempts(cartId, sessionId, bob.token)]) {
      const failure = await failureOf(call());
      expect(failure.code).to.equal(status.NOT_FOUND);
      expect(failure.details).to.equal(`cart ${cartId} not found`);
    }
    // Another customer, or a guest, reaching for alice's cart.
    for (const call of [...attempts(alicesCart!.id, '', bob.token), ...attempts(alicesCart!.id, sessionId)]) {
      expect((await failureOf(call())).code).to.equal(status.NOT_FOUND);
    }
    const untouched = await api.cart.getCart({ cartId, sessionId });
    expect(untouched.cart).to.deep.include({ itemCount: 1, couponCode: '' });
    expect((await api.cart.getCart({ cartId: '', sessionId: '' }, { token: alice.token })).cart!.id).to.equal(
      alicesCart!.id,
    );
  });

  it('refuses a platform service on every RPC with PERMISSION_DENIED: a service owns no cart', async () => {
    const product = await makeProduct([10]);
    const sessionId = newSessionId();
    const { cart } = await api.cart.addItem({ cartId: '', sessionId, ...line(product, 1) });
    const cartId = cart!.id;
    const itemId = cart!.items[0]!.id;
    const token = await internalToken(mesh, 'order');
    // Well-formed requests, the guest's own session id among them: the token decides, and it is no owner.
    const calls = [
      () => api.cart.getCart({ cartId: '', sessionId }, { token }),
      () => api.cart.getCart({ cartId, sessionId }, { token }),
      () => api.cart.addItem({ cartId: '', sessionId, ...line(product, 1) }, { token }),
      () => api.cart.updateItemQuantity({ cartId, sessionId, itemId, quantity: 2 }, { token }),
      () => api.cart.removeItem({ cartId, sessionId, itemId }, { token }),
      () => api.cart.clearCart({ cartId, sessionId }, { token }),
      () => api.cart.applyCoupon({ cartId, sessionId, couponCode: 'WELCOME10' }, { token }),
      () => api.cart.removeCoupon({ cartId, sessionId }, { token }),
      () => api.cart.mergeCarts({ sessionId }, { token }),
    ];
    for (const call of calls) {
      const failure = await failureOf(call());
      expect(failure.code, failure.details).to.equal(status.PERMISSION_DENIED);
    }
    expect((await api.cart.getCart({ cartId, sessionId })).cart).to.deep.include({
      itemCount: 1,
      couponCode: '',
    });
  });

  it('adds up 30 parallel AddItem calls for one line exactly', async () => {
    const product = await makeProduct([500]);
    const customer = await customerToken(mesh);
    const { cart } = await api.cart.addItem(
      { cartId: '', sessionId: '', ...line(product, 1) },
      { token: customer.token },
    );
    await Promise.all(
      Array.from({ length: 30 }, () =>
        api.cart.addItem({ cartId: cart!.id, sessionId: '', ...line(product, 3) }, { token: customer.token }),
      ),
    );
    const { cart: after } = await api.cart.getCart({ cartId: '', sessionId: '' }, { token: customer.token });
    expect(after!.items.map((i) => i.quantity)).to.deep.equal([91]);
    expect(after!.subtotal!.amountMinor).to.equal(91 * 1999);
  });

  it('merges a guest cart into the customer cart on login, once, only for the holder of the session', async () => {
    const product = await makeProduct([50, 3]);
    const sessionId = newSessionId();
    const { cart: guestCart } = await api.cart.addItem({ cartId: '', sessionId, ...line(product, 2) });
    await api.cart.addItem({ cartId: guestCart!.id, sessionId, ...line(product, 2, 1) });
    const customer = await customerToken(mesh);
    const { cart: own } = await api.cart.addItem(
      { cartId: '', sessionId: '', ...line(product, 2, 1) },
      { token: customer.token },
    );

    const anonymous = await failureOf(api.cart.mergeCarts({ sessionId }));
    expect(anonymous.code).to.equal(status.UNAUTHENTICATED);
    const malformed = await failureOf(api.cart.mergeCarts({ sessionId: 'x' }, { token: customer.token }));
    expect(malformed.violations[0]?.field).to.equal('session_id');

    // A second customer holding another session merges nothing of this one.
    const stranger = await customerToken(mesh);
    const nothing = await api.cart.mergeCarts({ sessionId: newSessionId() }, { token: stranger.token });
    expect(nothing).to.deep.equal({ cart: undefined, mergedCartIds: [], lines: [] });

    const merges = await Promise.all(
      Array.from({ length: 4 }, () => api.cart.mergeCarts({ sessionId }, { token: customer.token })),
    );
    const doer = merges.find((m) => m.mergedCartIds.length > 0)!;
    expect(merges.filter((m) => m.mergedCartIds.length > 0)).to.have.length(1);
    expect(doer.mergedCartIds).to.deep.equal([guestCart!.id]);
    expect(doer.lines.map((l) => [l.quantity, l.outcome])).to.deep.equal([
      [2, MergeOutcome.MERGE_OUTCOME_MERGED],
      [3, MergeOutcome.MERGE_OUTCOME_LIMITED_BY_STOCK],
    ]);
    for (const merge of merges) {
      expect(merge.cart!.id).to.equal(own!.id);
      expect(merge.cart!.items.map((i) => i.quantity)).to.deep.equal([3, 2]);
    }
    const guestNow = await api.cart.getCart({ cartId: guestCart!.id, sessionId });
    expect(guestNow.cart).to.deep.include({
      status: CartStatus.CART_STATUS_MERGED,
      mergedIntoCartId: own!.id,
    });
    const readOnly = await failureOf(
      api.cart.addItem({ cartId: guestCart!.id, sessionId, ...line(product, 1) }),
    );
    expect(readOnly.code).to.equal(status.FAILED_PRECONDITION);
  });
});
