import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  CatalogCheck,
  CouponCheck,
  CouponStatus,
  DiscountOriginKind,
  DiscountScope,
  PricingCheck,
} from '../../../gen/ecommerce/cart/v1/cart.js';
import { DiscountReason } from '../../../lib/error-reasons.js';
import { newId } from '../../../lib/ids.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { addItem } from '../src/domain/add-item.js';
import { clearCart } from '../src/domain/cart-lines.js';
import type { CartOwner } from '../src/domain/cart-owner.js';
import { applyCoupon } from '../src/domain/coupons.js';
import { getCart } from '../src/domain/get-cart.js';
import {
  depsWith,
  failureOf,
  MemoryCatalog,
  MemoryDiscounts,
  newSessionId,
  openCartDatabase,
  productWith,
} from './support.js';

describe('cart service: coupons checked and carts priced by the discount service', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  const catalog = new MemoryCatalog();
  const discounts = new MemoryDiscounts();
  const deps = depsWith(catalog, undefined, discounts);
  const em = () => db.orm.em.fork();
  const shoes = newId();
  const promotionId = newId();
  const couponId = newId();

  before(async () => {
    db = await openCartDatabase('cart_discounts');
    discounts.promotions.set(shoes, { id: promotionId, name: 'Shoe week', percentOffBp: 2000 });
    discounts.coupons.set('TENOFF', { id: couponId, name: 'Ten off', percentOffBp: 1000 });
    discounts.coupons.set('OLD', {
      reason: DiscountReason.COUPON_EXPIRED,
      message: 'This coupon has expired.',
    });
    discounts.coupons.set('BIGSPEND', {
      reason: DiscountReason.COUPON_MINIMUM_NOT_MET,
      message: 'This coupon needs 500.00 EUR of eligible items.',
    });
  });
  after(async () => {
    await db?.drop();
  });
  beforeEach(() => {
    catalog.down = false;
    discounts.down = false;
    discounts.requests.checkCoupon.length = 0;
    discounts.requests.priceCart.length = 0;
    catalog.calls = { getProduct: 0, getProducts: 0 };
  });

  /** A cart of 2 shoes at 10.00 (category with a 20 % promotion) and a 5.00 sock (no category). */
  async function shoeCart(owner: CartOwner = { sessionId: newSessionId() }) {
    const shoe = catalog.add(productWith([10], { price: 1000, categoryIds: [shoes] }));
    const sock = catalog.add(productWith([10], { price: 500 }));
    const first = await addItem(em(), deps, owner, {
      cartId: '',
      productId: shoe.id,
      variantId: shoe.variants[0]!.id,
      quantity: 2,
    });
    const cart = await addItem(em(), deps, owner, {
      cartId: first.id,
      productId: sock.id,
      variantId: sock.variants[0]!.id,
      quantity: 1,
    });
    catalog.calls = { getProduct: 0, getProducts: 0 };
    return { owner, cart, shoe, sock };
  }

  describe('ApplyCoupon', () => {
    it("stores an accepted code, having sent the cart's currency, lines with their categories and the customer", async () => {
      const userId = newId();
      const { cart, shoe, sock } = await shoeCart({ userId });
      const applied = await applyCoupon(em(), deps, { userId }, { cartId: cart.id, couponCode: ' tenoff ' });
      expect(applied.couponCheck).to.equal(CouponCheck.COUPON_CHECK_ACCEPTED);
      expect(applied.cart!.couponCode).to.equal('TENOFF');
      expect(catalog.calls.getProducts).to.equal(1);
      expect(discounts.requests.checkCoupon).to.deep.equal([
        {
          code: 'TENOFF',
          currency: 'EUR',
          customerId: userId,
          lines: [
            {
              itemId: cart.items[0]!.id,
              productId: shoe.id,
              variantId: shoe.variants[0]!.id,
              categoryIds: [shoes],
              unitPrice: 1000,
              quantity: 2,
            },
            {
              itemId: cart.items[1]!.id,
              productId: sock.id,
              variantId: sock.variants[0]!.id,
              categoryIds: [],
              unitPrice: 500,
              quantity: 1,
            },
          ],
        },
      ]);
    });

    it('checks a guest’s code without a customer, and an empty cart’s without lines or a catalog call', async () => {
      const { owner, cart } = await shoeCart();
      await applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: 'TENOFF' });
      expect(discounts.requests.checkCoupon[0]!.customerId).to.equal(null);

      const emptied = await shoeCart();
      await clearCart(em(), deps, emptied.owner, emptied.cart.id);
      catalog.calls = { getProduct: 0, getProducts: 0 };
      await applyCoupon(em(), deps, emptied.owner, { cartId: emptied.cart.id, couponCode: 'TENOFF' });
      expect(discounts.requests.checkCoupon[1]!.lines).to.deep.equal([]);
      expect(catalog.calls.getProducts).to.equal(0);
    });

    it("refuses a coupon with the discount service's reason and message, keeping the coupon applied before", async () => {
      const { owner, cart } = await shoeCart();
      await applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: 'TENOFF' });
      for (const [code, reason, message] of [
        ['old', DiscountReason.COUPON_EXPIRED, 'This coupon has expired.'],
        [
          'BIGSPEND',
          DiscountReason.COUPON_MINIMUM_NOT_MET,
          'This coupon needs 500.00 EUR of eligible items.',
        ],
      ] as const) {
        const refused = await failureOf(
          applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: code }),
        );
        expect(refused.code).to.equal(status.FAILED_PRECONDITION);
        expect(refused.message).to.equal(message);
        expect(refused.reason).to.equal(reason);
      }
      const unknown = await failureOf(
        applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: 'NOPE' }),
      );
      expect(unknown.code).to.equal(status.NOT_FOUND);
      expect(unknown.reason).to.equal(DiscountReason.COUPON_NOT_FOUND);
      const [row] = await em().execute('SELECT coupon_code FROM carts WHERE id = ?', [cart.id]);
      expect(row).to.deep.equal({ coupon_code: 'TENOFF' });
    });

    it('stores the code unchecked when the discount service or the catalog cannot answer', async () => {
      const { owner, cart } = await shoeCart();
      discounts.down = true;
      const whileDiscountsDown = await applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: 'OLD' });
      expect(whileDiscountsDown.couponCheck).to.equal(CouponCheck.COUPON_CHECK_UNAVAILABLE);
      expect(whileDiscountsDown.cart!.couponCode).to.equal('OLD');

      discounts.down = false;
      catalog.down = true;
      const whileCatalogDown = await applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: 'NOPE' });
      expect(whileCatalogDown.couponCheck).to.equal(CouponCheck.COUPON_CHECK_UNAVAILABLE);
      expect(whileCatalogDown.cart!.couponCode).to.equal('NOPE');
      // Without the lines' categories the discount service is not asked at all.
      expect(discounts.requests.checkCoupon).to.have.length(1);
    });

    it("answers NOT_FOUND for another owner's cart, and FAILED_PRECONDITION for a read-only one, asking nobody", async () => {
      const { cart } = await shoeCart();
      const stranger = await failureOf(
        applyCoupon(em(), deps, { sessionId: newSessionId() }, { cartId: cart.id, couponCode: 'TENOFF' }),
      );
      expect(stranger.code).to.equal(status.NOT_FOUND);
      const { owner, cart: converted } = await shoeCart();
      await em().execute(`UPDATE carts SET status = 'converted', converted_order_id = ? WHERE id = ?`, [
        newId(),
        converted.id,
      ]);
      const readOnly = await failureOf(
        applyCoupon(em(), deps, owner, { cartId: converted.id, couponCode: 'TENOFF' }),
      );
      expect(readOnly.code).to.equal(status.FAILED_PRECONDITION);
      expect(readOnly.reason).to.equal('CART_NOT_ACTIVE');
      expect(discounts.requests.checkCoupon).to.deep.equal([]);
    });
  });

  describe('GetCart', () => {
    const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });

    it('shows the promotion and the coupon per line, the order discount and the discounted subtotal, from one catalog call', async () => {
      const userId = newId();
      const { owner, cart } = await shoeCart({ userId });
      await applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: 'TENOFF' });
      catalog.calls = { getProduct: 0, getProducts: 0 };

      const read = await getCart(em(), deps, owner, cart.id);
      expect(catalog.calls.getProducts).to.equal(1);
      expect(read.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_DONE);
      expect(read.pricingCheck).to.equal(PricingCheck.PRICING_CHECK_DONE);
      expect(discounts.requests.priceCart.at(-1)).to.deep.include({
        currency: 'EUR',
        customerId: userId,
        couponCode: 'TENOFF',
      });
      const promotion = {
        kind: DiscountOriginKind.DISCOUNT_ORIGIN_KIND_PROMOTION,
        id: promotionId,
        name: 'Shoe week',
        code: '',
      };
      const coupon = {
        kind: DiscountOriginKind.DISCOUNT_ORIGIN_KIND_COUPON,
        id: couponId,
        name: 'Ten off',
        code: 'TENOFF',
      };
      const [shoeLine, sockLine] = read.cart!.items;
      // Shoes: 2000, 20 % off (400), then 10 % of the 1600 left (160). Sock: 500, 10 % (50).
      expect(read.discounts).to.deep.equal({
        lines: [
          {
            itemId: shoeLine!.id,
            parts: [
              { origin: promotion, scope: DiscountScope.DISCOUNT_SCOPE_LINE, amount: eur(400) },
              { origin: coupon, scope: DiscountScope.DISCOUNT_SCOPE_ORDER, amount: eur(160) },
            ],
            discount: eur(560),
            total: eur(1440),
          },
          {
            itemId: sockLine!.id,
            parts: [{ origin: coupon, scope: DiscountScope.DISCOUNT_SCOPE_ORDER, amount: eur(50) }],
            discount: eur(50),
            total: eur(450),
          },
        ],
        orderDiscounts: [
          {
            origin: coupon,
            amount: eur(210),
            shares: [
              { itemId: shoeLine!.id, amount: eur(160) },
              { itemId: sockLine!.id, amount: eur(50) },
            ],
          },
        ],
        lineDiscount: eur(400),
        orderDiscount: eur(210),
        discount: eur(610),
        discountedSubtotal: eur(1890),
        applied: [
          { origin: promotion, amount: eur(400), explanation: 'Shoe week: 20 % off' },
          { origin: coupon, amount: eur(210), explanation: 'Ten off: 10 % off' },
        ],
      });
      expect(read.cart!.subtotal).to.deep.equal(eur(2500));
      expect(read.coupon).to.deep.equal({
        code: 'TENOFF',
        status: CouponStatus.COUPON_STATUS_APPLIED,
        name: 'Ten off',
        discount: eur(210),
        refusalReason: '',
        refusalMessage: '',
      });
    });

    it('shows a stored coupon the discount service now refuses, with its reason and message', async () => {
      const { owner, cart } = await shoeCart();
      discounts.down = true;
      await applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: 'BIGSPEND' });
      discounts.down = false;
      const read = await getCart(em(), deps, owner, cart.id);
      expect(read.coupon).to.deep.equal({
        code: 'BIGSPEND',
        status: CouponStatus.COUPON_STATUS_REFUSED,
        name: '',
        discount: undefined,
        refusalReason: DiscountReason.COUPON_MINIMUM_NOT_MET,
        refusalMessage: 'This coupon needs 500.00 EUR of eligible items.',
      });
      expect(read.discounts!.orderDiscounts).to.deep.equal([]);
      expect(read.discounts!.discountedSubtotal).to.deep.equal(eur(2100));
    });

    it('answers without discounts, saying the pricing could not be made, when the discount service is down', async () => {
      const { owner, cart } = await shoeCart();
      await applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: 'TENOFF' });
      discounts.down = true;
      const read = await getCart(em(), deps, owner, cart.id);
      expect(read.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_DONE);
      expect(read.pricingCheck).to.equal(PricingCheck.PRICING_CHECK_UNAVAILABLE);
      expect(read.discounts).to.equal(undefined);
      expect(read.coupon).to.deep.include({ code: 'TENOFF', status: CouponStatus.COUPON_STATUS_NOT_CHECKED });
      expect(read.cart!.items).to.have.length(2);
    });

    it('does not price a cart whose lines the catalog cannot describe now', async () => {
      const { owner, cart } = await shoeCart();
      catalog.down = true;
      const read = await getCart(em(), deps, owner, cart.id);
      expect(read.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_UNAVAILABLE);
      expect(read.pricingCheck).to.equal(PricingCheck.PRICING_CHECK_UNAVAILABLE);
      expect(discounts.requests.priceCart).to.deep.equal([]);
    });

    it('needs no pricing for an empty or a read-only cart, and asks nobody', async () => {
      const { owner, cart } = await shoeCart();
      await applyCoupon(em(), deps, owner, { cartId: cart.id, couponCode: 'TENOFF' });
      await em().execute(`UPDATE carts SET status = 'abandoned' WHERE id = ?`, [cart.id]);
      catalog.calls = { getProduct: 0, getProducts: 0 };
      const read = await getCart(em(), deps, owner, cart.id);
      expect(read.pricingCheck).to.equal(PricingCheck.PRICING_CHECK_NOT_NEEDED);
      expect(read.coupon).to.deep.include({ status: CouponStatus.COUPON_STATUS_NOT_CHECKED });
      expect(read.discounts).to.equal(undefined);
      expect(catalog.calls.getProducts + discounts.requests.priceCart.length).to.equal(0);
    });
  });
});
