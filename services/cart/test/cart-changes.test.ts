import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { CatalogCheck, LineAvailability } from '../../../gen/ecommerce/cart/v1/cart.js';
import { newId } from '../../../lib/ids.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { addItem } from '../src/domain/add-item.js';
import { clearCart, removeItem, updateItemQuantity } from '../src/domain/cart-lines.js';
import { applyCoupon, removeCoupon } from '../src/domain/coupons.js';
import { getCart } from '../src/domain/get-cart.js';
import {
  depsWith,
  discountsAccepting,
  failureOf,
  MemoryCatalog,
  newSessionId,
  openCartDatabase,
  productWith,
} from './support.js';

describe('cart service: GetCart, UpdateItemQuantity, RemoveItem, ClearCart, coupons', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  const catalog = new MemoryCatalog();
  const deps = depsWith(catalog, undefined, discountsAccepting('WELCOME-5', 'SUMMER_24', 'SAVE10'));
  const em = () => db.orm.em.fork();

  before(async () => {
    db = await openCartDatabase('cart_changes');
  });
  after(async () => {
    await db?.drop();
  });
  beforeEach(() => {
    catalog.down = false;
  });

  /** A guest cart with one line per variant of a new product (quantity 2 each). */
  async function guestCart(stock: number[] = [10, 10], price = 1000) {
    const product = catalog.add(productWith(stock, { price }));
    const owner = { sessionId: newSessionId() };
    let cart = await addItem(em(), deps, owner, {
      cartId: '',
      productId: product.id,
      variantId: product.variants[0]!.id,
      quantity: 2,
    });
    for (const variant of product.variants.slice(1)) {
      cart = await addItem(em(), deps, owner, {
        cartId: cart.id,
        productId: product.id,
        variantId: variant.id,
        quantity: 2,
      });
    }
    return { product, owner, cart };
  }

  describe('GetCart', () => {
    it('answers the cart with no changed lines when the catalog agrees with the snapshot', async () => {
      const { owner, cart } = await guestCart();
      const read = await getCart(em(), deps, owner, cart.id);
      expect(read.cart).to.deep.equal(cart);
      expect(read.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_DONE);
      expect(read.changedLines).to.deep.equal([]);
    });

    it('reports a changed price, a short line and an unavailable one, from one batch call', async () => {
      const { product, owner, cart } = await guestCart([10, 10, 10]);
      const gone = catalog.add(productWith([4]));
      const withGone = await addItem(em(), deps, owner, {
        cartId: cart.id,
        productId: gone.id,
        variantId: gone.variants[0]!.id,
        quantity: 1,
      });
      product.variants[0]!.price = { currencyCode: 'EUR', amountMinor: 1200 };
      product.variants[1]!.availableQuantity = 1;
      gone.visible = false;
      const calls = catalog.calls.getProducts;
      const read = await getCart(em(), deps, owner, cart.id);
      expect(catalog.calls.getProducts).to.equal(calls + 1);
      expect(read.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_DONE);
      const [priced, short, unavailable] = withGone.items;
      expect(read.changedLines).to.deep.equal([
        {
          itemId: priced!.id,
          productId: product.id,
          variantId: product.variants[0]!.id,
          snapshotUnitPrice: { currencyCode: 'EUR', amountMinor: 1000 },
          currentUnitPrice: { currencyCode: 'EUR', amountMinor: 1200 },
          priceChanged: true,
          availability: LineAvailability.LINE_AVAILABILITY_IN_STOCK,
          availableQuantity: 10,
        },
        {
          itemId: short!.id,
          productId: product.id,
          variantId: product.variants[1]!.id,
          snapshotUnitPrice: { currencyCode: 'EUR', amountMinor: 1000 },
          currentUnitPrice: { currencyCode: 'EUR', amountMinor: 1000 },
          priceChanged: false,
          availability: LineAvailability.LINE_AVAILABILITY_SHORT,
          availableQuantity: 1,
        },
        {
          itemId: withGone.items[3]!.id,
          productId: gone.id,
          variantId: gone.variants[0]!.id,
          snapshotUnitPrice: { currencyCode: 'EUR', amountMinor: 1999 },
          currentUnitPrice: undefined,
          priceChanged: false,
          availability: LineAvailability.LINE_AVAILABILITY_UNAVAILABLE,
          availableQuantity: 0,
        },
      ]);
      expect(unavailable).to.not.equal(undefined);
      // The snapshot itself is untouched by a read.
      expect(read.cart!.items[0]!.unitPrice!.amountMinor).to.equal(1000);
    });

    it('answers the stored snapshot when the catalog is down, and says the check could not be made', async () => {
      const { owner, cart } = await guestCart();
      catalog.down = true;
      const read = await getCart(em(), deps, owner, cart.id);
      expect(read.cart).to.deep.equal(cart);
      expect(read.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_UNAVAILABLE);
      expect(read.changedLines).to.deep.equal([]);
    });

    it("finds the caller's active cart without a cart_id, and NOT_FOUND when there is none", async () => {
      const userId = newId();
      const missing = await failureOf(getCart(em(), deps, { userId }, ''));
      expect(missing.code).to.equal(status.NOT_FOUND);
      expect(missing.message).to.equal('active cart not found');
      const { owner, cart } = await guestCart();
      expect((await getCart(em(), deps, owner, '')).cart!.id).to.equal(cart.id);
    });

    it('keeps every cart from everybody but its owner, and refuses a malformed id', async () => {
      const { cart } = await guestCart();
      for (const stranger of [{ sessionId: newSessionId() }, { userId: newId() }]) {
        const failure = await failureOf(getCart(em(), deps, stranger, cart.id));
        expect(failure.code).to.equal(status.NOT_FOUND);
      }
      const customerCart = await addItem(
        em(),
        deps,
        { userId: newId() },
        {
          cartId: '',
          productId: catalog.add(productWith([1])).id,
          variantId: [...catalog.products.values()].at(-1)!.variants[0]!.id,
          quantity: 1,
        },
      );
      expect((await failureOf(getCart(em(), deps, { userId: newId() }, customerCart.id))).code).to.equal(
        status.NOT_FOUND,
      );
      const bad = await failureOf(getCart(em(), deps, { userId: newId() }, 'cart-1'));
      expect(bad.violations).to.deep.equal([{ field: 'cart_id', description: 'must be a UUID' }]);
    });
  });

  describe('UpdateItemQuantity', () => {
    it('raises a line within stock, refreshing its snapshot, and lowers it without the catalog', async () => {
      const { product, owner, cart } = await guestCart([5, 5]);
      product.variants[0]!.price = { currencyCode: 'EUR', amountMinor: 800 };
      const raised = await updateItemQuantity(em(), deps, owner, {
        cartId: cart.id,
        itemId: cart.items[0]!.id,
        quantity: 5,
      });
      expect(raised.items[0]).to.deep.include({
        quantity: 5,
        unitPrice: { currencyCode: 'EUR', amountMinor: 800 },
      });
      expect(raised.subtotal!.amountMinor).to.equal(4000 + 2000);

      catalog.down = true;
      const lowered = await updateItemQuantity(em(), deps, owner, {
        cartId: cart.id,
        itemId: cart.items[0]!.id,
        quantity: 1,
      });
      expect(lowered.items[0]!.quantity).to.equal(1);
      expect(lowered.itemCount).to.equal(3);
      const refused = await failureOf(
        updateItemQuantity(em(), deps, owner, { cartId: cart.id, itemId: cart.items[0]!.id, quantity: 2 }),
      );
      expect(refused.code).to.equal(status.UNAVAILABLE);
    });

    it('removes the line at 0', async () => {
      const { owner, cart } = await guestCart();
      const after = await updateItemQuantity(em(), deps, owner, {
        cartId: cart.id,
        itemId: cart.items[0]!.id,
        quantity: 0,
      });
      expect(after.items.map((item) => item.id)).to.deep.equal([cart.items[1]!.id]);
    });

    it('refuses more than the stock, a product gone from sale, bad fields and unknown lines, changing nothing', async () => {
      const { product, owner, cart } = await guestCart([3, 3]);
      const item = cart.items[0]!;
      const short = await failureOf(
        updateItemQuantity(em(), deps, owner, { cartId: cart.id, itemId: item.id, quantity: 4 }),
      );
      expect(short.code).to.equal(status.FAILED_PRECONDITION);
      expect(short.message).to.match(/only 3 of .* available/);

      const bad = await failureOf(
        updateItemQuantity(em(), deps, owner, { cartId: '', itemId: 'x', quantity: -1 }),
      );
      expect(bad.code).to.equal(status.INVALID_ARGUMENT);
      expect(bad.violations!.map((v) => v.field)).to.deep.equal(['cart_id', 'item_id', 'quantity']);
      const tooMany = await failureOf(
        updateItemQuantity(em(), deps, owner, { cartId: cart.id, itemId: item.id, quantity: 100 }),
      );
      expect(tooMany.violations).to.deep.equal([
        { field: 'quantity', description: 'must be a whole number from 0 to 99' },
      ]);

      const unknownLine = await failureOf(
        updateItemQuantity(em(), deps, owner, { cartId: cart.id, itemId: newId(), quantity: 1 }),
      );
      expect(unknownLine.code).to.equal(status.NOT_FOUND);
      expect(unknownLine.message).to.match(/^cart item .* not found$/);

      product.visible = false;
      const gone = await failureOf(
        updateItemQuantity(em(), deps, owner, { cartId: cart.id, itemId: item.id, quantity: 3 }),
      );
      expect(gone.code).to.equal(status.FAILED_PRECONDITION);
      expect(gone.message).to.match(/can no longer be bought/);
      expect((await getCart(em(), deps, owner, cart.id)).cart!.items[0]!.quantity).to.equal(2);
    });
  });

  describe('RemoveItem and ClearCart', () => {
    it('removes one line, then NOT_FOUND for it; clearing empties the cart and keeps the coupon', async () => {
      const { owner, cart } = await guestCart([5, 5, 5]);
      catalog.down = true; // neither needs the catalog
      const removed = await removeItem(em(), deps, owner, { cartId: cart.id, itemId: cart.items[1]!.id });
      expect(removed.items.map((i) => i.id)).to.deep.equal([cart.items[0]!.id, cart.items[2]!.id]);
      expect(removed.subtotal!.amountMinor).to.equal(4000);
      const again = await failureOf(
        removeItem(em(), deps, owner, { cartId: cart.id, itemId: cart.items[1]!.id }),
      );
      expect(again.code).to.equal(status.NOT_FOUND);

      await applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: 'save10' });
      const cleared = await clearCart(em(), deps, owner, cart.id);
      expect(cleared).to.deep.include({ itemCount: 0, couponCode: 'SAVE10' });
      expect(cleared.items).to.deep.equal([]);
      expect(cleared.subtotal).to.deep.equal({ currencyCode: 'EUR', amountMinor: 0 });
      expect((await clearCart(em(), deps, owner, cart.id)).items).to.deep.equal([]);
    });

    it("refuses another owner's cart with NOT_FOUND", async () => {
      const { cart } = await guestCart();
      const stranger = { sessionId: newSessionId() };
      expect((await failureOf(clearCart(em(), deps, stranger, cart.id))).code).to.equal(status.NOT_FOUND);
      expect(
        (await failureOf(removeItem(em(), deps, stranger, { cartId: cart.id, itemId: cart.items[0]!.id })))
          .code,
      ).to.equal(status.NOT_FOUND);
    });
  });

  describe('coupons', () => {
    it('stores one upper-cased code, replaces it, and removes it (twice harmlessly)', async () => {
      const { owner, cart } = await guestCart();
      const applied = await applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: ' welcome-5 ' });
      expect(applied.cart!.couponCode).to.equal('WELCOME-5');
      const replaced = await applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: 'SUMMER_24' });
      expect(replaced.cart!.couponCode).to.equal('SUMMER_24');
      const [row] = await em().execute('SELECT coupon_code FROM carts WHERE id = ?', [cart.id]);
      expect(row).to.deep.equal({ coupon_code: 'SUMMER_24' });
      expect((await removeCoupon(em(), deps, owner, cart.id)).couponCode).to.equal('');
      expect((await removeCoupon(em(), deps, owner, cart.id)).couponCode).to.equal('');
    });

    it('refuses a malformed code naming the field', async () => {
      const { owner, cart } = await guestCart();
      for (const [code, description] of [
        ['', 'is required'],
        ['ab', 'must be 3-32 characters of letters, digits, _ or -'],
        ['with space', 'must be 3-32 characters of letters, digits, _ or -'],
        ['x'.repeat(33), 'must be 3-32 characters of letters, digits, _ or -'],
      ] as const) {
        const failure = await failureOf(
          applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: code }),
        );
        expect(failure.code).to.equal(status.INVALID_ARGUMENT);
        expect(failure.violations).to.deep.equal([{ field: 'coupon_code', description }]);
      }
    });
  });

  describe('read-only carts', () => {
    for (const state of ['converted', 'abandoned', 'merged'] as const) {
      it(`refuses every change of a ${state} cart with FAILED_PRECONDITION, and still reads it`, async () => {
        const { product, owner, cart } = await guestCart();
        await em().execute(
          `UPDATE carts SET status = ?, converted_order_id = ?, merged_into_cart_id = ? WHERE id = ?`,
          [state, state === 'converted' ? newId() : null, state === 'merged' ? newId() : null, cart.id],
        );
        const itemId = cart.items[0]!.id;
        const attempts = [
          () =>
            addItem(em(), deps, owner, {
              cartId: cart.id,
              productId: product.id,
              variantId: product.variants[0]!.id,
              quantity: 1,
            }),
          () => updateItemQuantity(em(), deps, owner, { cartId: cart.id, itemId, quantity: 1 }),
          () => removeItem(em(), deps, owner, { cartId: cart.id, itemId }),
          () => clearCart(em(), deps, owner, cart.id),
          () => applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: 'ABC' }),
          () => removeCoupon(em(), deps, owner, cart.id),
        ];
        for (const attempt of attempts) {
          const failure = await failureOf(attempt());
          expect(failure.code).to.equal(status.FAILED_PRECONDITION);
          expect(failure.message).to.contain(`cart ${cart.id} is ${state} and cannot change`);
        }
        const read = await getCart(em(), deps, owner, cart.id);
        expect(read.cart!.items).to.have.length(2);
        expect(read.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_NOT_NEEDED);
      });
    }

    it('opens a new cart when a guest adds without cart_id after its cart was abandoned', async () => {
      const { product, owner, cart } = await guestCart();
      await em().execute(`UPDATE carts SET status = 'abandoned' WHERE id = ?`, [cart.id]);
      const fresh = await addItem(em(), deps, owner, {
        cartId: '',
        productId: product.id,
        variantId: product.variants[0]!.id,
        quantity: 1,
      });
      expect(fresh.id).to.not.equal(cart.id);
      expect(fresh.items).to.have.length(1);
    });
  });
});
