import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { CartStatus, type GetCheckoutCartRequest } from '../gen/ecommerce/cart/v1/cart.js';
import type { Product } from '../gen/ecommerce/product/v1/product.js';
import { newId } from '../lib/ids.js';
import { customerToken, newSessionId, productMaker } from './cart-support.js';
import { clientsFor, failureOf } from './support/clients.js';
import { startTestMesh, type TestMesh } from './support/mesh.js';
import { internalToken } from './support/tokens.js';

/*
 * GetCheckoutCart, the checkout's read of a cart, over real gRPC: only platform services may call
 * it; the request names the owner the checkout acts for, and a cart of anyone else is NOT_FOUND.
 */
describe('cart API over gRPC: GetCheckoutCart, the checkout’s read', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let api: ReturnType<typeof clientsFor>;
  let makeProduct: (stock: number[], price?: number) => Promise<Product>;
  let service: string;

  before(async () => {
    mesh = await startTestMesh(['auth', 'product', 'cart']);
    api = clientsFor((name) => mesh.address(name));
    makeProduct = await productMaker(api);
    service = await internalToken(mesh, 'order');
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
  const ofUser = (cartId: string, userId: string): GetCheckoutCartRequest => ({
    cartId,
    owner: { $case: 'userId', value: userId },
  });
  const ofSession = (cartId: string, sessionId: string): GetCheckoutCartRequest => ({
    cartId,
    owner: { $case: 'sessionId', value: sessionId },
  });
  const read = async (request: GetCheckoutCartRequest) =>
    (await api.cart.getCheckoutCart(request, { token: service })).cart!;

  it("answers a customer's cart by user id: lines with their snapshots, coupon, currency, status and version", async () => {
    const [tee, mug] = [await makeProduct([10, 10], 1500), await makeProduct([5], 800)];
    const customer = await customerToken(mesh);
    const as = { token: customer.token };
    const { cart } = await api.cart.addItem({ cartId: '', sessionId: '', ...line(tee, 2, 1) }, as);
    await api.cart.addItem({ cartId: cart!.id, sessionId: '', ...line(mug, 3) }, as);
    await api.cart.applyCoupon({ cartId: cart!.id, sessionId: '', couponCode: 'welcome10' }, as);

    const { version, ...checkout } = await read(ofUser(cart!.id, customer.userId));
    expect(version).to.be.a('number').and.to.be.greaterThan(0);
    const { items } = (await api.cart.getCart({ cartId: cart!.id, sessionId: '' }, as)).cart!;
    expect(checkout).to.deep.equal({
      id: cart!.id,
      userId: customer.userId,
      status: CartStatus.CART_STATUS_ACTIVE,
      currencyCode: 'EUR',
      couponCode: 'WELCOME10',
      lines: [
        {
          itemId: items[0]!.id,
          productId: tee.id,
          variantId: tee.variants[1]!.id,
          quantity: 2,
          unitPrice: { currencyCode: 'EUR', amountMinor: 1500 },
          productName: tee.name,
          productSku: tee.variants[1]!.sku,
        },
        {
          itemId: items[1]!.id,
          productId: mug.id,
          variantId: mug.variants[0]!.id,
          quantity: 3,
          unitPrice: { currencyCode: 'EUR', amountMinor: 800 },
          productName: mug.name,
          productSku: mug.variants[0]!.sku,
        },
      ],
    });
  });

  it("answers a guest's cart by session id, with an empty user id", async () => {
    const product = await makeProduct([10], 999);
    const sessionId = newSessionId();
    const { cart } = await api.cart.addItem({ cartId: '', sessionId, ...line(product, 4) });
    const checkout = await read(ofSession(cart!.id, sessionId));
    expect(checkout).to.deep.include({ id: cart!.id, userId: '', status: CartStatus.CART_STATUS_ACTIVE });
    expect(checkout.version).to.equal(1);
    expect(checkout.lines.map((l) => [l.productId, l.quantity, l.unitPrice?.amountMinor])).to.deep.equal([
      [product.id, 4, 999],
    ]);
  });

  it('raises the version with every change of the cart and never with a read', async () => {
    const [product, other] = [await makeProduct([50]), await makeProduct([50])];
    const sessionId = newSessionId();
    const { cart } = await api.cart.addItem({ cartId: '', sessionId, ...line(product, 1) });
    const cartId = cart!.id;
    const itemId = cart!.items[0]!.id;
    const versionNow = async () => (await read(ofSession(cartId, sessionId))).version;
    const versions = [await versionNow()];
    const changes = [
      () => api.cart.addItem({ cartId, sessionId, ...line(other, 1) }),
      () => api.cart.updateItemQuantity({ cartId, sessionId, itemId, quantity: 3 }),
      () => api.cart.applyCoupon({ cartId, sessionId, couponCode: 'SPRING' }),
      () => api.cart.removeCoupon({ cartId, sessionId }),
      () => api.cart.removeItem({ cartId, sessionId, itemId }),
      () => api.cart.clearCart({ cartId, sessionId }),
    ];
    for (const change of changes) {
      await change();
      await api.cart.getCart({ cartId, sessionId });
      versions.push(await versionNow());
    }
    expect(versions).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
  });

  it('counts 20 concurrent changes of one cart as 20 versions', async () => {
    const product = await makeProduct([500]);
    const customer = await customerToken(mesh);
    const as = { token: customer.token };
    const { cart } = await api.cart.addItem({ cartId: '', sessionId: '', ...line(product, 1) }, as);
    const before = await read(ofUser(cart!.id, customer.userId));
    await Promise.all(
      Array.from({ length: 20 }, () =>
        api.cart.addItem({ cartId: cart!.id, sessionId: '', ...line(product, 1) }, as),
      ),
    );
    const after = await read(ofUser(cart!.id, customer.userId));
    expect(after.version - before.version).to.equal(20);
    expect(after.lines[0]!.quantity).to.equal(21);
  });

  it('answers a cart that is no longer active with its status (a merged guest cart)', async () => {
    const product = await makeProduct([10]);
    const sessionId = newSessionId();
    const { cart: guestCart } = await api.cart.addItem({ cartId: '', sessionId, ...line(product, 2) });
    const customer = await customerToken(mesh);
    await api.cart.mergeCarts({ sessionId }, { token: customer.token });
    const checkout = await read(ofSession(guestCart!.id, sessionId));
    expect(checkout).to.deep.include({ status: CartStatus.CART_STATUS_MERGED, version: 2 });
    expect(checkout.lines.map((l) => l.quantity)).to.deep.equal([2]);
  });

  it('answers NOT_FOUND for a cart of another owner, whichever way the owner is named', async () => {
    const product = await makeProduct([10]);
    const sessionId = newSessionId();
    const { cart: guestCart } = await api.cart.addItem({ cartId: '', sessionId, ...line(product, 1) });
    const customer = await customerToken(mesh);
    const { cart: customerCart } = await api.cart.addItem(
      { cartId: '', sessionId: '', ...line(product, 1) },
      { token: customer.token },
    );
    const guestId = guestCart!.id;
    const customerCartId = customerCart!.id;
    const strangers = [
      ofSession(guestId, newSessionId()),
      ofUser(guestId, newId()),
      ofUser(customerCartId, newId()),
      ofSession(customerCartId, sessionId),
      ofUser(newId(), customer.userId),
    ];
    for (const request of strangers) {
      const failure = await failureOf(api.cart.getCheckoutCart(request, { token: service }));
      expect(failure.code).to.equal(status.NOT_FOUND);
      expect(failure.details).to.equal(`cart ${request.cartId} not found`);
    }
  });

  it('refuses a customer (PERMISSION_DENIED) and a caller without a token (UNAUTHENTICATED)', async () => {
    const product = await makeProduct([10]);
    const customer = await customerToken(mesh);
    const { cart } = await api.cart.addItem(
      { cartId: '', sessionId: '', ...line(product, 1) },
      { token: customer.token },
    );
    const ownRequest = ofUser(cart!.id, customer.userId);
    const asCustomer = await failureOf(api.cart.getCheckoutCart(ownRequest, { token: customer.token }));
    expect(asCustomer.code).to.equal(status.PERMISSION_DENIED);
    expect(asCustomer.details).to.equal('only platform services may call this');
    const anonymous = await failureOf(api.cart.getCheckoutCart(ownRequest));
    expect(anonymous.code).to.equal(status.UNAUTHENTICATED);
  });

  it('refuses a malformed request with INVALID_ARGUMENT naming every field at fault', async () => {
    const noOwner = await failureOf(
      api.cart.getCheckoutCart({ cartId: 'nope', owner: undefined }, { token: service }),
    );
    expect(noOwner.code).to.equal(status.INVALID_ARGUMENT);
    expect(noOwner.violations.map((v) => v.field)).to.deep.equal(['cart_id', 'owner']);
    const badUser = await failureOf(api.cart.getCheckoutCart(ofUser(newId(), 'x'), { token: service }));
    expect(badUser.violations).to.deep.equal([{ field: 'user_id', description: 'must be a UUID' }]);
    const badSession = await failureOf(api.cart.getCheckoutCart(ofSession('', 'short'), { token: service }));
    expect(badSession.violations.map((v) => v.field)).to.deep.equal(['cart_id', 'session_id']);
  });
});
