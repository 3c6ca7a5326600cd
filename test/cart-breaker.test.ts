import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { CatalogCheck, CouponCheck, PricingCheck } from '../gen/ecommerce/cart/v1/cart.js';
import type { Product } from '../gen/ecommerce/product/v1/product.js';
import { rpcClientHandled } from '../lib/metrics.js';
import { customerToken, newSessionId, productMaker } from './cart-support.js';
import { clientsFor, eventually, failureOf, type CallFailure } from './support/clients.js';
import { startTestMesh, type TestMesh } from './support/mesh.js';

/** Calls the cart service's product client has put on the wire (in-process meshes share the metrics). */
async function productCallsMade(): Promise<number> {
  const { values } = await rpcClientHandled.get();
  return values.filter((v) => v.labels.target === 'product').reduce((sum, v) => sum + v.value, 0);
}

/*
 * The cart's fault test. The walking skeleton shows AddItem failing and recovering; this one
 * shows where each cart RPC stands while the product service is down: mutations that need the
 * catalog answer UNAVAILABLE from the open breaker (no network attempt at all), GetCart answers
 * from the stored snapshot and says it could not check, changes that need no catalog still work.
 */
describe('cart while the product service is down (breaker)', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let api: ReturnType<typeof clientsFor>;
  let makeProduct: (stock: number[], price?: number) => Promise<Product>;
  const inProcess = process.env.MESH !== 'processes';

  before(async () => {
    mesh = await startTestMesh(['auth', 'product', 'cart']);
    api = clientsFor((name) => mesh.address(name));
    makeProduct = await productMaker(api);
  });
  after(async () => {
    for (const client of Object.values(api ?? {})) client.close();
    await mesh?.stop();
  });

  it('answers UNAVAILABLE from the open breaker, reads the snapshot, keeps catalog-free changes working, and recovers', async () => {
    const product = await makeProduct([20]);
    const variantId = product.variants[0]!.id;
    const sessionId = newSessionId();
    const { cart } = await api.cart.addItem({
      cartId: '',
      sessionId,
      productId: product.id,
      variantId,
      quantity: 3,
    });
    const cartId = cart!.id;
    const itemId = cart!.items[0]!.id;
    const add = { cartId, sessionId, productId: product.id, variantId, quantity: 1 };
    const customer = await customerToken(mesh);

    await mesh.stopService('product');
    try {
      // Until the breaker opens, each add tries the network and fails UNAVAILABLE (connection refused).
      const failures: CallFailure[] = [];
      while (failures.length < 20 && !/circuit open/.test(failures.at(-1)?.details ?? '')) {
        failures.push(await failureOf(api.cart.addItem(add)));
      }
      expect(failures.map((f) => f.code)).to.deep.equal(failures.map(() => status.UNAVAILABLE));
      expect(failures.at(-1)!.details).to.equal('product service unavailable (circuit open)');

      // Open: every answer that needs the catalog comes from the breaker, without any attempt.
      const attemptsBefore = await productCallsMade();
      const rejected = [
        await failureOf(api.cart.addItem(add)),
        await failureOf(api.cart.updateItemQuantity({ cartId, sessionId, itemId, quantity: 5 })),
        await failureOf(api.cart.mergeCarts({ sessionId }, { token: customer.token })),
      ];
      for (const failure of rejected) {
        expect(failure.code).to.equal(status.UNAVAILABLE);
        expect(failure.details).to.equal('product service unavailable (circuit open)');
      }
      const read = await api.cart.getCart({ cartId, sessionId });
      expect(read.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_UNAVAILABLE);
      // Without the catalog the lines' categories are unknown: no pricing either.
      expect(read.pricingCheck).to.equal(PricingCheck.PRICING_CHECK_UNAVAILABLE);
      expect(read.cart!.items.map((i) => i.quantity)).to.deep.equal([3]);
      if (inProcess) expect(await productCallsMade()).to.equal(attemptsBefore);

      // Lowering a line needs no catalog; a coupon is stored, unchecked.
      const lowered = await api.cart.updateItemQuantity({ cartId, sessionId, itemId, quantity: 2 });
      expect(lowered.cart!.items[0]!.quantity).to.equal(2);
      const coupon = await api.cart.applyCoupon({ cartId, sessionId, couponCode: 'STILL-WORKS' });
      expect(coupon.couponCheck).to.equal(CouponCheck.COUPON_CHECK_UNAVAILABLE);
    } finally {
      await mesh.startService('product');
    }

    const { cart: recovered } = await eventually(() => api.cart.addItem(add), {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: 'AddItem to recover once the product service is back',
    });
    expect(recovered!.items[0]!.quantity).to.equal(3);
    const checked = await api.cart.getCart({ cartId, sessionId });
    expect(checked.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_DONE);
    expect(checked.cart!.couponCode).to.equal('STILL-WORKS');
  });
});
