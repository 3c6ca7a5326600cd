import { expect } from 'chai';
import { OrderStatus, type Order } from '../gen/ecommerce/order/v1/order.js';
import { ProductSort, ReviewModeration, type Product } from '../gen/ecommerce/product/v1/product.js';
import {
  ItemCondition,
  RequestReturnRequest,
  ReturnReason,
  ReturnServiceClient,
  ReturnStatus,
} from '../gen/ecommerce/return/v1/return.js';
import { ShipmentStatus } from '../gen/ecommerce/shipping/v1/shipping.js';
import { newId } from '../lib/ids.js';
import { tokenOfLink } from './support/auth-events.js';
import {
  BERLIN,
  SHIPPING_PRICE_MINOR,
  startCheckoutWorld,
  type CheckoutWorld,
} from './support/checkout-world.js';
import { eventually, plainClient } from './support/clients.js';
import { Mailbox } from './support/mailbox.js';

const DAY_SECONDS = 24 * 3600;
const {
  ORDER_STATUS_PENDING: PENDING,
  ORDER_STATUS_CONFIRMED: CONFIRMED,
  ORDER_STATUS_PROCESSING: PROCESSING,
  ORDER_STATUS_SHIPPED: SHIPPED,
  ORDER_STATUS_DELIVERED: DELIVERED,
  ORDER_STATUS_PARTIALLY_REFUNDED: PARTIALLY_REFUNDED,
} = OrderStatus;

const minor = (money: { amountMinor: number } | undefined) => money?.amountMinor ?? NaN;

/**
 * The platform's story, told by one customer across all ten services over real gRPC: Ada registers
 * and verifies her email from the link in the mail, logs in, finds a linen shirt by searching,
 * fills a cart, applies a coupon, checks out; the shop ships her parcel, the carrier delivers it,
 * she reviews the shirt (a verified purchase), returns the scarf she also bought and gets her money
 * back. At the end every amount reconciles to the minor unit, the scarf is back on the shelf, the
 * order's history tells what happened, and her mailbox holds each mail the journey sends, once.
 */
describe('the journey: register → verify → search → cart → coupon → checkout → delivery → review → return → refund', function () {
  this.timeout(180_000);
  let world: CheckoutWorld;
  let returns: ReturnType<typeof plainClient<typeof ReturnServiceClient.service>>;
  let mailbox: Mailbox;
  const admin = () => ({ token: world.admin });

  before(async () => {
    world = await startCheckoutWorld(
      // No SMTP server: the mail is written to the mailbox folder, as with `make run`.
      { env: { NOTIFICATION_SMTP_URL: '', NOTIFICATION_SEND_INTERVAL_MS: '100' } },
      ['notification', 'return'],
    );
    returns = plainClient(ReturnServiceClient, world.mesh.address('return'));
    mailbox = new Mailbox(world.mesh.dataDir);
  });
  after(async () => {
    returns?.close();
    await world?.stop();
  });

  async function available(product: Product): Promise<number> {
    const { levels } = await world.api.product.getStock({ variantId: product.variants[0]!.id }, admin());
    return levels.reduce((sum, level) => sum + level.availableQuantity, 0);
  }

  async function orderReaches(orderId: string, status: OrderStatus, token: string): Promise<Order> {
    return eventually(
      async () => {
        const { order } = await world.api.order.getOrder({ orderId }, { token });
        return order!.status === status && order!;
      },
      { timeoutMs: 20_000, what: `order ${orderId} ${OrderStatus[status]}` },
    );
  }

  it('tells the whole story, and every number, unit and mail adds up', async () => {
    // The shop: a shirt and a scarf, a 10 % coupon, a simulated carrier.
    const shirt = await world.product([10], 2000);
    const scarf = await world.product([5], 1299);
    const coupon = await world.coupon(1000);
    const { carrier } = await world.api.shipping.createCarrier(
      {
        name: 'Parcel Co',
        code: `parcel_${Date.now().toString(36)}`,
        apiEndpoint: '',
        apiKey: '',
        configurationJson: '',
      },
      admin(),
    );

    // Ada registers; the verification mail carries the link she follows.
    const email = `ada-${newId()}@example.com`;
    const password = 'correct-horse-battery-42';
    const { userId } = await world.api.auth.register({
      email,
      password,
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    const [verification] = await eventually(async () => {
      const mails = await mailbox.to(email);
      return mails.length > 0 && mails;
    });
    const link = /https?:\/\/\S+\/verify-email\?token=[\w-]+/.exec(verification!.text ?? '')?.[0];
    expect(link, 'the verification link in the mail').to.be.a('string');
    await world.api.auth.verifyEmail({ token: tokenOfLink(link!) });
    const { accessToken: token } = await world.api.auth.login({ email, password });
    const ada = { token, userId };

    // She searches the catalog and finds the shirt.
    const { products: found } = await world.api.product.listProducts({
      categoryId: '',
      tag: '',
      minPrice: undefined,
      maxPrice: undefined,
      inStock: true,
      query: shirt.name,
      sort: ProductSort.PRODUCT_SORT_UNSPECIFIED,
      page: { pageSize: 100, pageToken: '' },
      status: 0,
    });
    expect(found.map((product) => product.id)).to.include(shirt.id);

    // Two shirts and a scarf in her cart, the coupon applied, the shipping quoted.
    const cartId = await world.cart(ada, [
      { product: shirt, quantity: 2 },
      { product: scarf, quantity: 1 },
    ]);
    await world.api.cart.applyCoupon({ cartId, sessionId: '', couponCode: coupon }, { token });
    const { options } = await world.api.shipping.quoteShipping(
      {
        destination: BERLIN,
        lines: [
          { productId: shirt.id, variantId: shirt.variants[0]!.id, quantity: 2 },
          { productId: scarf.id, variantId: scarf.variants[0]!.id, quantity: 1 },
        ],
        subtotal: { currencyCode: 'EUR', amountMinor: 2 * 2000 + 1299 },
      },
      { token },
    );
    const standard = options.find((option) => option.methodId === world.shippingMethodId)!;
    expect(minor(standard.price)).to.equal(SHIPPING_PRICE_MINOR);

    // The checkout: exactly the order's total is captured.
    const placed = await world.placeOrder(ada, cartId);
    expect(placed.status).to.equal(CONFIRMED);
    expect(minor(placed.grandTotal)).to.equal(
      minor(placed.subtotal) -
        minor(placed.discountTotal) +
        minor(placed.shippingTotal) +
        minor(placed.taxTotal),
    );
    expect(minor(placed.discountTotal)).to.be.greaterThan(0);
    expect(minor(placed.taxTotal)).to.be.greaterThan(0);
    expect(await available(scarf)).to.equal(4);

    // The shop ships the parcel; the carrier delivers it.
    const [shipment] = await eventually(async () => {
      const { shipments } = await world.api.shipping.listOrderShipments({ orderId: placed.id }, admin());
      return shipments.length > 0 && shipments;
    });
    await world.api.shipping.markShipmentShipped(
      { shipmentId: shipment!.id, carrierId: carrier!.id },
      admin(),
    );
    await orderReaches(placed.id, SHIPPED, token);
    await world.api.shipping.advanceSimulatedCarrier({ seconds: 5 * DAY_SECONDS }, admin());
    await orderReaches(placed.id, DELIVERED, token);
    const { shipments: tracked } = await world.api.shipping.getMyShipmentTracking(
      { orderId: placed.id },
      { token },
    );
    expect(tracked.map((s) => s.status)).to.deep.equal([ShipmentStatus.SHIPMENT_STATUS_DELIVERED]);
    expect(tracked[0]!.tracking.at(-1)!.status).to.equal(ShipmentStatus.SHIPMENT_STATUS_DELIVERED);

    // She reviews the shirt: a verified purchase, once the delivery is known to the catalog.
    const { review } = await world.api.product.createReview(
      { productId: shirt.id, rating: 5, title: 'Lovely linen', comment: 'Soft, and it fits.' },
      { token },
    );
    await world.api.product.moderateReview(
      { reviewId: review!.id, decision: ReviewModeration.REVIEW_MODERATION_APPROVED },
      admin(),
    );
    await eventually(async () => {
      const { reviews } = await world.api.product.listReviews({
        productId: shirt.id,
        page: { pageSize: 10, pageToken: '' },
        moderation: 0,
      });
      return reviews.some((r) => r.id === review!.id && r.verifiedPurchase);
    });

    // She returns the scarf; the shop approves, receives it in sellable condition and refunds it.
    const scarfLine = placed.lines.find((line) => line.productId === scarf.id)!;
    const { return: asked } = await returns.requestReturn(
      RequestReturnRequest.fromPartial({
        idempotencyKey: `return-${newId()}`,
        orderId: placed.id,
        lines: [{ orderItemId: scarfLine.id, quantity: 1, reason: ReturnReason.RETURN_REASON_CHANGED_MIND }],
      }),
      { token },
    );
    await returns.approveReturn(
      { returnId: asked!.id, returnAddress: BERLIN, instructions: 'Put the RMA number on the parcel.' },
      admin(),
    );
    await returns.addReturnTracking(
      { returnId: asked!.id, carrier: 'DHL', trackingNumber: 'JJD0001' },
      { token },
    );
    await returns.receiveReturn(
      {
        returnId: asked!.id,
        items: [{ returnItemId: asked!.lines[0]!.id, condition: ItemCondition.ITEM_CONDITION_SELLABLE }],
      },
      admin(),
    );
    const { return: refunded } = await returns.refundReturn({ returnId: asked!.id }, admin());
    expect(refunded!.status).to.equal(ReturnStatus.RETURN_STATUS_PROCESSED);
    const scarfPaid = minor(scarfLine.unitPrice) - minor(scarfLine.discount) + minor(scarfLine.tax);
    expect(minor(refunded!.refundAmount), 'what she paid for the scarf').to.equal(scarfPaid);

    // The ending: the money, the stock, the order's story and the mail.
    const order = await orderReaches(placed.id, PARTIALLY_REFUNDED, token);
    const { payment } = await world.api.payment.getPayment(
      { paymentId: order.paymentId },
      { token: world.service },
    );
    expect(minor(payment!.amountCaptured)).to.equal(minor(order.grandTotal));
    expect(
      minor(payment!.amountCaptured) - minor(payment!.amountRefunded),
      'what Ada kept paid for',
    ).to.equal(minor(order.grandTotal) - scarfPaid);
    expect(await available(scarf), 'the scarf is back on the shelf').to.equal(5);
    expect(await available(shirt)).to.equal(8);
    expect(order.history.map((change) => change.status)).to.deep.equal([
      PENDING,
      CONFIRMED,
      PROCESSING,
      SHIPPED,
      DELIVERED,
      PARTIALLY_REFUNDED,
    ]);

    const expected = [
      'Confirm your email address for Demo Store',
      'Welcome to Demo Store',
      `Order ${order.orderNumber} confirmed`,
      `Order ${order.orderNumber} is on its way`,
      `Order ${order.orderNumber} was delivered`,
      `Your return for order ${order.orderNumber} is approved: ${asked!.rmaNumber}`,
      `We received your return for order ${order.orderNumber}`,
      `Your refund of EUR ${(scarfPaid / 100).toFixed(2)} is on its way`,
    ];
    const subjects = await eventually(
      async () => {
        const seen = await mailbox.subjectsTo(email);
        return seen.length >= expected.length && seen;
      },
      { timeoutMs: 20_000, what: 'every mail of the journey' },
    );
    expect([...subjects].sort(), 'each mail once').to.deep.equal([...expected].sort());
  });
});
