import { CartServiceClient } from '../../gen/ecommerce/cart/v1/cart.js';
import type { Address } from '../../gen/ecommerce/common/v1/address.js';
import {
  CouponType,
  CreateCouponRequest,
  CreatePromotionRequest,
  DiscountServiceClient,
} from '../../gen/ecommerce/discount/v1/discount.js';
import { OrderServiceClient, PlaceOrderRequest, type Order } from '../../gen/ecommerce/order/v1/order.js';
import { PaymentServiceClient } from '../../gen/ecommerce/payment/v1/payment.js';
import {
  CreateProductRequest,
  ProductServiceClient,
  type Product,
} from '../../gen/ecommerce/product/v1/product.js';
import { ServiceType, ShippingServiceClient } from '../../gen/ecommerce/shipping/v1/shipping.js';
import { AuthServiceClient } from '../../gen/ecommerce/auth/v1/auth.js';
import type { ServiceName } from '../../lib/config/index.js';
import { newId } from '../../lib/ids.js';
import { plainClient } from './clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './mesh.js';
import { internalToken } from './tokens.js';
import { unique } from './unique.js';

/** The services a checkout crosses, all of them over real gRPC. */
export const CHECKOUT_SERVICES = [
  'auth',
  'user',
  'product',
  'cart',
  'discount',
  'shipping',
  'payment',
  'order',
] as const;

/** A German address: the shipping zone the world creates covers DE. */
export const BERLIN: Address = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: '',
  line1: 'Unter den Linden 1',
  line2: '',
  city: 'Berlin',
  state: '',
  postalCode: '10117',
  country: 'DE',
  phone: '',
};

/** The standard method's price in the world's zone (EUR). */
export const SHIPPING_PRICE_MINOR = 499;

export interface Shopper {
  /** A customer's token, or none for a guest. */
  token?: string;
  userId?: string;
  /** The guest's cart session (guests only). */
  sessionId?: string;
  guestEmail?: string;
}

/**
 * A platform to check out on: the eight services a checkout crosses, an admin, a shipping zone
 * for Germany with a standard method, and helpers that make products, carts and coupons through
 * the services' own RPCs, as a shop and its shoppers would. `meshOptions` go to `startTestMesh`
 * (settings for the services, for instance); `moreServices` run beside them.
 */
export async function startCheckoutWorld(
  meshOptions: Parameters<typeof startTestMesh>[1] = {},
  /** Services to run beside the checkout's (the return service, for returns of its orders; the notification service, to see what a checkout mails). */
  moreServices: readonly ServiceName[] = [],
) {
  const mesh: TestMesh = await startTestMesh([...CHECKOUT_SERVICES, ...moreServices], meshOptions);
  const api = {
    auth: plainClient(AuthServiceClient, mesh.address('auth')),
    product: plainClient(ProductServiceClient, mesh.address('product')),
    cart: plainClient(CartServiceClient, mesh.address('cart')),
    discount: plainClient(DiscountServiceClient, mesh.address('discount')),
    shipping: plainClient(ShippingServiceClient, mesh.address('shipping')),
    payment: plainClient(PaymentServiceClient, mesh.address('payment')),
    order: plainClient(OrderServiceClient, mesh.address('order')),
  };
  const admin = (await api.auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
  const service = await internalToken(mesh, 'test-suite');

  const carrierCode = unique('dhl')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 30);
  await api.shipping.createCarrier(
    { name: 'DHL', code: carrierCode, apiEndpoint: '', apiKey: '', configurationJson: '', active: true },
    { token: admin },
  );
  const { zone } = await api.shipping.createZone(
    { name: unique('Germany'), countries: ['DE'], states: [], postalPatterns: [], priority: 0, active: true },
    { token: admin },
  );
  const { method } = await api.shipping.createShippingMethod(
    {
      zoneId: zone!.id,
      name: 'Standard',
      carrierCode,
      serviceType: ServiceType.SERVICE_TYPE_STANDARD,
      basePrice: { currencyCode: 'EUR', amountMinor: SHIPPING_PRICE_MINOR },
      pricePerKg: { currencyCode: 'EUR', amountMinor: 0 },
      pricePerItem: { currencyCode: 'EUR', amountMinor: 0 },
      estimatedDays: 3,
      active: true,
    },
    { token: admin },
  );
  const shippingMethodId = method!.id;

  return {
    mesh,
    api,
    admin,
    service,
    shippingMethodId,

    async customer(): Promise<Shopper> {
      const email = `${unique('shopper')}@example.com`;
      const password = 'correct-horse-42';
      const { userId } = await api.auth.register({ email, password, firstName: 'Ada', lastName: 'Lovelace' });
      const { accessToken } = await api.auth.login({ email, password });
      return { token: accessToken, userId };
    },

    guest(): Shopper {
      return { sessionId: `guest-${newId()}`, guestEmail: `${unique('guest')}@example.com` };
    },

    /** A published product of one variant per stock figure, priced in EUR. */
    async product(stock: number[], priceMinor = 2000): Promise<Product> {
      const sku = unique('CO').toUpperCase();
      const { product } = await api.product.createProduct(
        CreateProductRequest.fromPartial({
          sku,
          name: 'Linen shirt',
          slug: sku.toLowerCase(),
          description: 'A linen shirt',
          price: { currencyCode: 'EUR', amountMinor: priceMinor },
          variants: stock.map((initialStock, k) => ({
            sku: `${sku}-${k}`,
            name: `Size ${k}`,
            initialStock,
            weightGrams: 300,
          })),
        }),
        { token: admin },
      );
      return product!;
    },

    /** A cart of the shopper holding `quantity` of each variant; answers its id. */
    async cart(
      shopper: Shopper,
      lines: { product: Product; variant?: number; quantity: number }[],
    ): Promise<string> {
      let cartId = '';
      for (const line of lines) {
        const { cart } = await api.cart.addItem(
          {
            cartId,
            sessionId: shopper.sessionId ?? '',
            productId: line.product.id,
            variantId: line.product.variants[line.variant ?? 0]!.id,
            quantity: line.quantity,
          },
          { token: shopper.token },
        );
        cartId = cart!.id;
      }
      return cartId;
    },

    /** A percentage coupon (basis points) with an optional global limit. */
    async coupon(percentOffBp: number, usageLimit = 0): Promise<string> {
      const code = unique('SAVE')
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, '');
      await api.discount.createCoupon(
        CreateCouponRequest.fromPartial({
          code,
          name: 'Test coupon',
          description: '',
          type: CouponType.COUPON_TYPE_PERCENTAGE,
          percentOffBp,
          currencyCode: 'EUR',
          usageLimit,
          usageLimitPerCustomer: 0,
        }),
        { token: admin },
      );
      return code;
    },

    /** An active promotion taking `percentOffBp` basis points off every unit of the product. */
    async promotion(product: Product, percentOffBp: number): Promise<string> {
      const { promotion } = await api.discount.createPromotion(
        CreatePromotionRequest.fromPartial({
          name: unique('Promotion'),
          activate: true,
          rule: {
            $case: 'productDiscount',
            value: {
              target: { productIds: [product.id] },
              benefit: { $case: 'percentOffBp', value: percentOffBp },
            },
          },
        }),
        { token: admin },
      );
      return promotion!.id;
    },

    /** PlaceOrder as the shopper would send it, with a test gateway token. */
    placeOrder(
      shopper: Shopper,
      cartId: string,
      options: {
        key?: string;
        token?: string;
        expectedTotalMinor?: number;
        expectedCurrency?: string;
        deadlineMs?: number;
      } = {},
    ): Promise<Order> {
      return api.order
        .placeOrder(
          PlaceOrderRequest.fromPartial({
            idempotencyKey: options.key ?? `key-${newId()}`,
            cartId,
            sessionId: shopper.sessionId ?? '',
            guestEmail: shopper.guestEmail ?? '',
            destination: { $case: 'shippingAddress', value: BERLIN },
            shippingMethodId,
            payment: { $case: 'paymentToken', value: options.token ?? 'pm_card_visa' },
            ...(options.expectedTotalMinor !== undefined
              ? {
                  expectedTotal: {
                    currencyCode: options.expectedCurrency ?? 'EUR',
                    amountMinor: options.expectedTotalMinor,
                  },
                }
              : {}),
          }),
          { token: shopper.token, deadlineMs: options.deadlineMs },
        )
        .then((answer) => answer.order!);
    },

    async stop(): Promise<void> {
      for (const client of Object.values(api)) client.close();
      await mesh.stop();
    },
  };
}

export type CheckoutWorld = Awaited<ReturnType<typeof startCheckoutWorld>>;
