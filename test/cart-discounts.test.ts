import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  CatalogCheck,
  CouponCheck,
  CouponStatus,
  DiscountOriginKind,
  DiscountScope,
  PricingCheck,
} from '../gen/ecommerce/cart/v1/cart.js';
import {
  CouponType,
  CreateCouponRequest,
  CreatePromotionRequest,
  DiscountServiceClient,
} from '../gen/ecommerce/discount/v1/discount.js';
import { CreateProductRequest, type Product } from '../gen/ecommerce/product/v1/product.js';
import { newId } from '../lib/ids.js';
import { adminToken, customerToken, newSessionId } from './cart-support.js';
import { clientsFor, eventually, failureOf, plainClient } from './support/clients.js';
import { startTestMesh, type TestMesh } from './support/mesh.js';
import { internalToken } from './support/tokens.js';

const DAY_MS = 86_400_000;
const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
const tag = () => Math.random().toString(36).slice(2, 10).toUpperCase();
const discountClient = (address: string) => plainClient(DiscountServiceClient, address);

/*
 * The cart with the real discount service, over gRPC: ApplyCoupon has the code judged by
 * CheckCoupon (refusals reach the shopper with the discount service's reason), GetCart shows what
 * PriceCart gives the cart, and both keep working when the discount service is down.
 */
describe('cart with the discount service: coupons and discounts over gRPC', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let api: ReturnType<typeof clientsFor>;
  let discount: ReturnType<typeof discountClient>;
  let admin: { token: string };
  let category: string;

  before(async () => {
    mesh = await startTestMesh(['auth', 'product', 'discount', 'cart']);
    api = clientsFor((name) => mesh.address(name));
    discount = discountClient(mesh.address('discount'));
    admin = { token: await adminToken(api) };
    const created = await api.product.createCategory(
      { name: 'Shoes', slug: `shoes-${tag().toLowerCase()}`, description: '', parentId: '', imageUrl: '' },
      admin,
    );
    category = created.category!.id;
    // Promotions apply to every cart: this one only to the products of this suite's own category.
    await discount.createPromotion(
      CreatePromotionRequest.fromPartial({
        name: 'Shoe week',
        priority: 10,
        stackable: true,
        activate: true,
        rule: {
          $case: 'productDiscount',
          value: { target: { categoryIds: [category] }, benefit: { $case: 'percentOffBp', value: 2000 } },
        },
      }),
      admin,
    );
  });
  after(async () => {
    discount?.close();
    for (const client of Object.values(api ?? {})) client.close();
    await mesh?.stop();
  });

  async function makeProduct(price: number, categoryIds: string[] = []): Promise<Product> {
    const sku = `DISC-${tag()}`;
    const { product } = await api.product.createProduct(
      CreateProductRequest.fromPartial({
        sku,
        name: 'Runner',
        slug: sku.toLowerCase(),
        description: 'A shoe',
        price: eur(price),
        categoryIds,
        variants: [{ sku: `${sku}-0`, name: 'One size', initialStock: 50 }],
      }),
      admin,
    );
    return product!;
  }

  async function makeCoupon(fields: Partial<CreateCouponRequest> = {}): Promise<string> {
    const code = `C${tag()}`;
    await discount.createCoupon(
      CreateCouponRequest.fromPartial({
        code,
        name: 'Ten off',
        type: CouponType.COUPON_TYPE_PERCENTAGE,
        percentOffBp: 1000,
        currencyCode: 'EUR',
        ...fields,
      }),
      admin,
    );
    return code;
  }

  /** A guest cart of 2 shoes at 10.00 (in the promoted category) and 1 sock at 5.00. */
  async function shoeCart() {
    const [shoe, sock] = [await makeProduct(1000, [category]), await makeProduct(500)];
    const sessionId = newSessionId();
    const { cart } = await api.cart.addItem({
      cartId: '',
      sessionId,
      productId: shoe.id,
      variantId: shoe.variants[0]!.id,
      quantity: 2,
    });
    await api.cart.addItem({
      cartId: cart!.id,
      sessionId,
      productId: sock.id,
      variantId: sock.variants[0]!.id,
      quantity: 1,
    });
    return { cartId: cart!.id, sessionId };
  }

  it('applies a valid coupon, for a guest and for a customer', async () => {
    const code = await makeCoupon();
    const { cartId, sessionId } = await shoeCart();
    const applied = await api.cart.applyCoupon({ cartId, sessionId, couponCode: code.toLowerCase() });
    expect(applied.couponCheck).to.equal(CouponCheck.COUPON_CHECK_ACCEPTED);
    expect(applied.cart!.couponCode).to.equal(code);

    const customer = await customerToken(mesh);
    const sock = await makeProduct(700);
    const { cart } = await api.cart.addItem(
      { cartId: '', sessionId: '', productId: sock.id, variantId: sock.variants[0]!.id, quantity: 1 },
      { token: customer.token },
    );
    const own = await api.cart.applyCoupon(
      { cartId: cart!.id, sessionId: '', couponCode: code },
      { token: customer.token },
    );
    expect(own.couponCheck).to.equal(CouponCheck.COUPON_CHECK_ACCEPTED);
  });

  it('refuses an expired, an exhausted and an unknown coupon with their reasons, storing none of them', async () => {
    const now = Date.now();
    const expired = await makeCoupon({
      startsAt: new Date(now - 2 * DAY_MS),
      endsAt: new Date(now - DAY_MS),
    });
    const exhausted = await makeCoupon({ usageLimit: 1 });
    await discount.reserveDiscountUsage(
      {
        orderId: newId(),
        customer: { identity: { $case: 'userId', value: newId() } },
        currencyCode: 'EUR',
        couponCode: exhausted,
        couponDiscount: eur(100),
        promotions: [],
      },
      { token: await internalToken(mesh, 'order') },
    );
    const valid = await makeCoupon();
    const { cartId, sessionId } = await shoeCart();
    await api.cart.applyCoupon({ cartId, sessionId, couponCode: valid });

    const expiredFailure = await failureOf(api.cart.applyCoupon({ cartId, sessionId, couponCode: expired }));
    expect(expiredFailure.code).to.equal(status.FAILED_PRECONDITION);
    expect(expiredFailure.errorInfo?.reason).to.equal('COUPON_EXPIRED');
    expect(expiredFailure.errorInfo?.metadata?.code).to.equal(expired);
    const exhaustedFailure = await failureOf(
      api.cart.applyCoupon({ cartId, sessionId, couponCode: exhausted }),
    );
    expect(exhaustedFailure.code).to.equal(status.FAILED_PRECONDITION);
    expect(exhaustedFailure.errorInfo?.reason).to.equal('COUPON_EXHAUSTED');
    const unknown = await failureOf(api.cart.applyCoupon({ cartId, sessionId, couponCode: 'NO-SUCH-CODE' }));
    expect(unknown.code).to.equal(status.NOT_FOUND);
    expect(unknown.errorInfo?.reason).to.equal('COUPON_NOT_FOUND');

    const { cart } = await api.cart.getCart({ cartId, sessionId });
    expect(cart!.couponCode).to.equal(valid);
  });

  it('shows the promotion and the coupon in GetCart: per line, the order discount and the discounted subtotal', async () => {
    const code = await makeCoupon({ name: 'Ten off' });
    const { cartId, sessionId } = await shoeCart();
    await api.cart.applyCoupon({ cartId, sessionId, couponCode: code });

    const read = await api.cart.getCart({ cartId, sessionId });
    expect(read.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_DONE);
    expect(read.pricingCheck).to.equal(PricingCheck.PRICING_CHECK_DONE);
    const [shoeLine, sockLine] = read.cart!.items;
    const discounts = read.discounts!;
    // Shoes: 2 x 10.00, 20 % off (4.00); then the coupon, 10 % of what is left of every line
    // (16.00 + 5.00), allocated 1.60 and 0.50.
    expect(
      discounts.lines.map((line) => [
        line.itemId,
        line.parts.map((part) => [part.origin?.kind, part.scope, part.amount?.amountMinor]),
        line.discount?.amountMinor,
        line.total?.amountMinor,
      ]),
    ).to.deep.equal([
      [
        shoeLine!.id,
        [
          [DiscountOriginKind.DISCOUNT_ORIGIN_KIND_PROMOTION, DiscountScope.DISCOUNT_SCOPE_LINE, 400],
          [DiscountOriginKind.DISCOUNT_ORIGIN_KIND_COUPON, DiscountScope.DISCOUNT_SCOPE_ORDER, 160],
        ],
        560,
        1440,
      ],
      [
        sockLine!.id,
        [[DiscountOriginKind.DISCOUNT_ORIGIN_KIND_COUPON, DiscountScope.DISCOUNT_SCOPE_ORDER, 50]],
        50,
        450,
      ],
    ]);
    expect(discounts.orderDiscounts).to.have.length(1);
    expect(discounts.orderDiscounts[0]).to.deep.include({ amount: eur(210) });
    expect(discounts.orderDiscounts[0]!.origin).to.deep.include({ code, name: 'Ten off' });
    expect(discounts.orderDiscounts[0]!.shares).to.have.deep.members([
      { itemId: shoeLine!.id, amount: eur(160) },
      { itemId: sockLine!.id, amount: eur(50) },
    ]);
    expect(discounts).to.deep.include({
      lineDiscount: eur(400),
      orderDiscount: eur(210),
      discount: eur(610),
      discountedSubtotal: eur(1890),
    });
    expect(
      discounts.applied.map((applied) => [applied.origin?.name, applied.amount?.amountMinor]),
    ).to.deep.equal([
      ['Shoe week', 400],
      ['Ten off', 210],
    ]);
    expect(read.coupon).to.deep.include({
      code,
      status: CouponStatus.COUPON_STATUS_APPLIED,
      name: 'Ten off',
      discount: eur(210),
    });
  });

  it('shows a stored coupon the cart no longer meets as refused, with the reason and a message', async () => {
    const code = await makeCoupon({ minimumAmount: eur(2000) });
    const { cartId, sessionId } = await shoeCart();
    // 16.00 + 5.00 after the promotion: the minimum of 20.00 is met.
    await api.cart.applyCoupon({ cartId, sessionId, couponCode: code });
    const { cart } = await api.cart.getCart({ cartId, sessionId });
    await api.cart.updateItemQuantity({ cartId, sessionId, itemId: cart!.items[0]!.id, quantity: 1 });

    const read = await api.cart.getCart({ cartId, sessionId });
    expect(read.pricingCheck).to.equal(PricingCheck.PRICING_CHECK_DONE);
    expect(read.coupon).to.deep.include({ code, status: CouponStatus.COUPON_STATUS_REFUSED });
    expect(read.coupon!.refusalReason).to.equal('COUPON_MINIMUM_NOT_MET');
    expect(read.coupon!.refusalMessage).to.not.equal('');
    expect(read.discounts).to.deep.include({ orderDiscount: eur(0), discountedSubtotal: eur(1300) });
  });

  it('answers GetCart without discounts and stores ApplyCoupon unchecked while the discount service is down, then recovers', async () => {
    const code = await makeCoupon();
    const { cartId, sessionId } = await shoeCart();
    await mesh.stopService('discount');
    try {
      // Connection refused, then the open breaker: GetCart answers either way.
      for (let k = 0; k < 6; k++) {
        const read = await api.cart.getCart({ cartId, sessionId });
        expect(read.catalogCheck).to.equal(CatalogCheck.CATALOG_CHECK_DONE);
        expect(read.pricingCheck).to.equal(PricingCheck.PRICING_CHECK_UNAVAILABLE);
        expect(read.discounts).to.equal(undefined);
        expect(read.cart!.items).to.have.length(2);
      }
      const unchecked = await api.cart.applyCoupon({ cartId, sessionId, couponCode: code });
      expect(unchecked.couponCheck).to.equal(CouponCheck.COUPON_CHECK_UNAVAILABLE);
      expect(unchecked.cart!.couponCode).to.equal(code);
      const read = await api.cart.getCart({ cartId, sessionId });
      expect(read.coupon).to.deep.include({ code, status: CouponStatus.COUPON_STATUS_NOT_CHECKED });
    } finally {
      await mesh.startService('discount');
    }
    const recovered = await eventually(
      async () => {
        const read = await api.cart.getCart({ cartId, sessionId });
        if (read.pricingCheck !== PricingCheck.PRICING_CHECK_DONE) throw new Error('not priced yet');
        return read;
      },
      {
        timeoutMs: 20_000,
        intervalMs: 250,
        what: 'GetCart to price the cart once the discount service is back',
      },
    );
    expect(recovered.coupon).to.deep.include({ code, status: CouponStatus.COUPON_STATUS_APPLIED });
    expect(recovered.discounts!.discountedSubtotal).to.deep.equal(eur(1890));
  });
});
