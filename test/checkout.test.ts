import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { CartStatus } from '../gen/ecommerce/cart/v1/cart.js';
import { OrderStatus, PlaceOrderRequest, type Order } from '../gen/ecommerce/order/v1/order.js';
import { PaymentStatus } from '../gen/ecommerce/payment/v1/payment.js';
import { UpdateProductRequest, type Product } from '../gen/ecommerce/product/v1/product.js';
import { newId } from '../lib/ids.js';
import {
  startCheckoutWorld,
  SHIPPING_PRICE_MINOR,
  type CheckoutWorld,
  type Shopper,
} from './support/checkout-world.js';
import { eventually, failureOf, type CallFailure } from './support/clients.js';

/**
 * The checkout across the eight services it crosses, over real gRPC: what a shopper pays is what
 * the order says and what the gateway captured, to the minor unit; a refusal at any step leaves
 * stock, coupon and cart as they were; retries and races make one order and one charge.
 */
describe('checkout: PlaceOrder across cart, product, shipping, discount, payment and order', function () {
  this.timeout(120_000);
  let world: CheckoutWorld;
  /** A burst queues in the order service, an outage is retried: a shopper there waits longer than usual. */
  const BULK_DEADLINE_MS = 60_000;

  before(async () => {
    world = await startCheckoutWorld();
  });
  after(() => world.stop());

  async function available(product: Product, variant = 0): Promise<number> {
    const { levels } = await world.api.product.getStock(
      { variantId: product.variants[variant]!.id },
      { token: world.admin },
    );
    return levels.reduce((sum, level) => sum + level.availableQuantity, 0);
  }

  async function paymentsOf(orderId: string) {
    const { payments } = await world.api.payment.listPayments(
      { orderId, status: 0, userId: '', page: { pageSize: 10, pageToken: '' } },
      { token: world.service },
    );
    return payments;
  }

  function minor(money: { amountMinor: number } | undefined): number {
    return money?.amountMinor ?? NaN;
  }

  function expectReconciled(order: Order): void {
    const subtotal = order.lines.reduce((sum, line) => sum + minor(line.unitPrice) * line.quantity, 0);
    const lineDiscounts = order.lines.reduce((sum, line) => sum + minor(line.discount), 0);
    const lineTaxes = order.lines.reduce((sum, line) => sum + minor(line.tax), 0);
    expect(minor(order.subtotal)).to.equal(subtotal);
    expect(minor(order.discountTotal), 'no shipping discount here: the lines carry every discount').to.equal(
      lineDiscounts,
    );
    expect(minor(order.taxTotal)).to.be.at.least(lineTaxes);
    expect(minor(order.grandTotal)).to.equal(
      minor(order.subtotal) - minor(order.discountTotal) + minor(order.shippingTotal) + minor(order.taxTotal),
    );
    for (const line of order.lines) {
      expect(minor(line.total)).to.equal(
        minor(line.unitPrice) * line.quantity - minor(line.discount) + minor(line.tax),
      );
    }
  }

  it("a customer's order with a promotion, a coupon, shipping and tax reconciles to the minor unit, and exactly its total is captured", async () => {
    const shopper = await world.customer();
    const shirt = await world.product([5, 5], 2000);
    const scarf = await world.product([3], 1299);
    await world.promotion(scarf, 2000);
    const cartId = await world.cart(shopper, [
      { product: shirt, quantity: 2 },
      { product: scarf, quantity: 1 },
    ]);
    const code = await world.coupon(1000);
    await world.api.cart.applyCoupon({ cartId, sessionId: '', couponCode: code }, { token: shopper.token });

    const order = await world.placeOrder(shopper, cartId);

    expect(order.status).to.equal(OrderStatus.ORDER_STATUS_CONFIRMED);
    expect(order.orderNumber).to.match(/^ORD-\d+-\d$/);
    expect(order.couponCode).to.equal(code);
    expect(minor(order.subtotal)).to.equal(2 * 2000 + 1299);
    // 20 % off the scarf (2.60 EUR), then 10 % of the rest (50.39 EUR: 5.04 EUR), and German VAT
    // (19 %) on the discounted lines and on the shipping.
    expect(minor(order.discountTotal)).to.be.within(763, 764);
    const scarfLine = order.lines.find((line) => line.productId === scarf.id)!;
    expect(minor(scarfLine.discount), 'the promotion and its share of the coupon').to.be.within(363, 365);
    expect(minor(order.shippingTotal)).to.equal(SHIPPING_PRICE_MINOR);
    const lineTaxes = order.lines.reduce((sum, line) => sum + minor(line.tax), 0);
    expect(minor(order.taxTotal) - lineTaxes, 'VAT on 4.99 EUR of shipping').to.equal(95);
    expectReconciled(order);

    const [payment, ...others] = await paymentsOf(order.id);
    expect(others).to.have.length(0);
    expect(payment!.id).to.equal(order.paymentId);
    expect(payment!.status).to.equal(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    expect(minor(payment!.amountAuthorized)).to.equal(minor(order.grandTotal));
    expect(minor(payment!.amountCaptured)).to.equal(minor(order.grandTotal));

    expect(await available(shirt)).to.equal(3);
    expect(await available(scarf)).to.equal(2);
    await eventually(async () => {
      const { cart } = await world.api.cart.getCart({ cartId, sessionId: '' }, { token: shopper.token });
      expect(cart!.status).to.equal(CartStatus.CART_STATUS_CONVERTED);
      return true;
    });
    const { order: read } = await world.api.order.getOrder({ orderId: order.id }, { token: shopper.token });
    expect(read).to.deep.equal(order);
  });

  it("a guest's order with a promotion, a coupon, shipping and tax reconciles, and the guest reads it back by its number and email", async () => {
    const guest = world.guest();
    const shirt = await world.product([4]);
    await world.promotion(shirt, 1500);
    const cartId = await world.cart(guest, [{ product: shirt, quantity: 2 }]);
    const code = await world.coupon(500);
    await world.api.cart.applyCoupon({ cartId, sessionId: guest.sessionId!, couponCode: code });

    const order = await world.placeOrder(guest, cartId);

    expect(order.status).to.equal(OrderStatus.ORDER_STATUS_CONFIRMED);
    expect(order.userId).to.equal('');
    expect(order.guestEmail).to.equal(guest.guestEmail);
    // 15 % off 40.00 EUR (6.00 EUR), then 5 % of 34.00 EUR (1.70 EUR).
    expect(minor(order.discountTotal)).to.equal(770);
    expect(minor(order.shippingTotal)).to.equal(SHIPPING_PRICE_MINOR);
    expect(minor(order.taxTotal)).to.be.greaterThan(0);
    expectReconciled(order);
    const [payment, ...others] = await paymentsOf(order.id);
    expect(others).to.have.length(0);
    expect(minor(payment!.amountCaptured)).to.equal(minor(order.grandTotal));
    const { order: found } = await world.api.order.getGuestOrder({
      orderNumber: order.orderNumber,
      email: guest.guestEmail!.toUpperCase(),
    });
    expect(found!.id).to.equal(order.id);
  });

  it('a declined card leaves the stock, the coupon and the cart exactly as they were', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([5]);
    const cartId = await world.cart(shopper, [{ product: shirt, quantity: 2 }]);
    const code = await world.coupon(1500, 1);
    await world.api.cart.applyCoupon({ cartId, sessionId: '', couponCode: code }, { token: shopper.token });

    const refusal = await failureOf(
      world.placeOrder(shopper, cartId, { token: 'pm_card_visa_chargeDeclined' }),
    );

    expect(refusal.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(refusal.errorInfo?.reason).to.equal('PAYMENT_DECLINED');
    const orderId = refusal.errorInfo!.metadata!.order_id!;
    const { order } = await world.api.order.getOrder({ orderId }, { token: shopper.token });
    expect(order!.status).to.equal(OrderStatus.ORDER_STATUS_CANCELLED);
    expect(order!.cancellationReason).to.contain('PAYMENT_DECLINED');
    expect(await available(shirt)).to.equal(5);
    const { cart } = await world.api.cart.getCart({ cartId, sessionId: '' }, { token: shopper.token });
    expect(cart!.status).to.equal(CartStatus.CART_STATUS_ACTIVE);
    expect(cart!.couponCode).to.equal(code);

    // The coupon's only use was given back: the same cart goes through with a good card.
    const paid = await world.placeOrder(shopper, cartId);
    expect(paid.status).to.equal(OrderStatus.ORDER_STATUS_CONFIRMED);
    expect(paid.couponCode).to.equal(code);
    expect(minor(paid.discountTotal)).to.be.greaterThan(0);
  });

  it('the same key sent 100 times at once makes one order and one charge, and every answer is the same', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([5]);
    const cartId = await world.cart(shopper, [{ product: shirt, quantity: 1 }]);
    const key = `key-${newId()}`;

    const answers = await Promise.all(
      Array.from({ length: 100 }, () => world.placeOrder(shopper, cartId, { key })),
    );

    for (const answer of answers) expect(answer).to.deep.equal(answers[0]);
    expect(answers[0]!.status).to.equal(OrderStatus.ORDER_STATUS_CONFIRMED);
    expect(await paymentsOf(answers[0]!.id)).to.have.length(1);
    expect(await available(shirt)).to.equal(4);
    const again = await world.placeOrder(shopper, cartId, { key });
    expect(again).to.deep.equal(answers[0]);
  });

  it('the same key with another request is refused, and a second key on an ordered cart names the order', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([5]);
    const cartId = await world.cart(shopper, [{ product: shirt, quantity: 1 }]);
    const key = `key-${newId()}`;
    const order = await world.placeOrder(shopper, cartId, { key });

    const reused = await failureOf(world.placeOrder(shopper, cartId, { key, token: 'pm_card_mastercard' }));
    expect(reused.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(reused.errorInfo?.reason).to.equal('IDEMPOTENCY_KEY_REUSED');

    const second = await failureOf(world.placeOrder(shopper, cartId));
    expect(second.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(second.errorInfo?.reason).to.be.oneOf(['CART_ALREADY_ORDERED', 'CART_NOT_ACTIVE']);
    expect(await paymentsOf(order.id)).to.have.length(1);
  });

  it('a malformed request is refused naming every field at fault, and uses up neither the cart nor the key', async () => {
    const guest = world.guest();
    const shirt = await world.product([5]);
    const cartId = await world.cart(guest, [{ product: shirt, quantity: 1 }]);

    const refusal = await failureOf(
      world.api.order.placeOrder(
        PlaceOrderRequest.fromPartial({
          idempotencyKey: 'short',
          cartId,
          sessionId: guest.sessionId!,
          guestEmail: 'not-an-email',
          destination: { $case: 'savedAddressId', value: newId() },
          shippingMethodId: world.shippingMethodId,
          payment: { $case: 'paymentMethodId', value: newId() },
        }),
      ),
    );

    expect(refusal.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(refusal.violations.map((v) => v.field).sort()).to.deep.equal([
      'guest_email',
      'idempotency_key',
      'payment_method_id',
      'saved_address_id',
    ]);
    const order = await world.placeOrder(guest, cartId, { key: 'short-but-valid-key' });
    expect(order.status).to.equal(OrderStatus.ORDER_STATUS_CONFIRMED);
  });

  it('a short line refuses the order naming the variant, and nothing is charged', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([3]);
    const cartId = await world.cart(shopper, [{ product: shirt, quantity: 3 }]);
    // Another shopper buys two of the three while the first hesitates.
    const other = await world.customer();
    await world.placeOrder(other, await world.cart(other, [{ product: shirt, quantity: 2 }]));

    const refusal = await failureOf(world.placeOrder(shopper, cartId));

    expect(refusal.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(refusal.errorInfo?.reason).to.equal('OUT_OF_STOCK');
    expect(refusal.errorInfo?.metadata?.variant_ids).to.equal(shirt.variants[0]!.id);
    expect(await paymentsOf(refusal.errorInfo!.metadata!.order_id!)).to.have.length(0);
    expect(await available(shirt)).to.equal(1);
  });

  it('a price changed since the cart refuses the order, and the total the shopper accepts lets it through', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([5], 2000);
    const cartId = await world.cart(shopper, [{ product: shirt, quantity: 1 }]);
    await world.api.product.updateProduct(
      UpdateProductRequest.fromPartial({
        productId: shirt.id,
        price: { currencyCode: 'EUR', amountMinor: 2500 },
      }),
      { token: world.admin },
    );

    const refusal = await failureOf(world.placeOrder(shopper, cartId));
    expect(refusal.errorInfo?.reason).to.equal('PRICE_CHANGED');
    expect(refusal.errorInfo?.metadata?.variant_ids).to.equal(shirt.variants[0]!.id);

    const wrongTotal = await failureOf(world.placeOrder(shopper, cartId, { expectedTotalMinor: 2000 }));
    expect(wrongTotal.errorInfo?.reason).to.equal('TOTAL_CHANGED');
    const total = Number(wrongTotal.errorInfo!.metadata!.total_minor);
    expect(await paymentsOf(wrongTotal.errorInfo!.metadata!.order_id!)).to.have.length(0);

    const otherCurrency = await failureOf(
      world.placeOrder(shopper, cartId, { expectedTotalMinor: total, expectedCurrency: 'USD' }),
    );
    expect(otherCurrency.errorInfo?.reason, 'the same number in another currency is another total').to.equal(
      'TOTAL_CHANGED',
    );

    const order = await world.placeOrder(shopper, cartId, { expectedTotalMinor: total });
    expect(order.status).to.equal(OrderStatus.ORDER_STATUS_CONFIRMED);
    expect(minor(order.lines[0]!.unitPrice)).to.equal(2500);
    expect(minor(order.grandTotal)).to.equal(total);
  });

  it('a capture whose answer is lost ends in one order and one charge, found out from the gateway', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([5]);
    const cartId = await world.cart(shopper, [{ product: shirt, quantity: 1 }]);

    const order = await world.placeOrder(shopper, cartId, { token: 'pm_card_captureAnswerLost' });

    expect(order.status).to.equal(OrderStatus.ORDER_STATUS_CONFIRMED);
    const [payment, ...others] = await paymentsOf(order.id);
    expect(others).to.have.length(0);
    expect(payment!.status).to.equal(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    expect(minor(payment!.amountCaptured)).to.equal(minor(order.grandTotal));
    expect(await available(shirt)).to.equal(4);
  });

  it('the discount service down mid-checkout: refused UNAVAILABLE at once, the stock given back, nothing charged, and the cart checks out once it is back', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([5]);
    const cartId = await world.cart(shopper, [{ product: shirt, quantity: 2 }]);

    await world.mesh.stopService('discount');
    let refusal;
    let orderId: string;
    try {
      refusal = await failureOf(world.placeOrder(shopper, cartId, { deadlineMs: 10_000 }));
      orderId = refusal.errorInfo!.metadata!.order_id!;
      expect(refusal.code, refusal.message).to.equal(grpc.status.UNAVAILABLE);
      expect(refusal.errorInfo?.reason).to.equal('CHECKOUT_FAILED');
      expect(refusal.message).to.contain('discount');
      // Released while the discount service is still down; only its own release waits for it.
      expect(await available(shirt)).to.equal(5);
      expect(await paymentsOf(orderId)).to.deep.equal([]);
    } finally {
      await world.mesh.startService('discount');
    }

    // The recovery gives the discount usage back and cancels the order, with the reason.
    const cancelled = await eventually(async () => {
      const { order } = await world.api.order.getOrder({ orderId }, { token: shopper.token });
      return order!.status === OrderStatus.ORDER_STATUS_CANCELLED && order;
    });
    expect(cancelled.cancellationReason).to.contain('CHECKOUT_FAILED: discount service unavailable');
    const paid = await world.placeOrder(shopper, cartId);
    expect(paid.status).to.equal(OrderStatus.ORDER_STATUS_CONFIRMED);
    expect(await available(shirt)).to.equal(3);
  });

  it('a customer cancels a confirmed order: the units come back, the payment is refunded in full, and cancelling again changes nothing', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([5]);
    const order = await world.placeOrder(
      shopper,
      await world.cart(shopper, [{ product: shirt, quantity: 2 }]),
    );
    expect(await available(shirt)).to.equal(3);

    const { order: cancelled } = await world.api.order.cancelOrder(
      { orderId: order.id, reason: 'changed my mind' },
      { token: shopper.token },
    );
    const { order: again } = await world.api.order.cancelOrder(
      { orderId: order.id, reason: 'changed my mind' },
      { token: shopper.token },
    );

    expect(cancelled!.status).to.equal(OrderStatus.ORDER_STATUS_CANCELLED);
    expect(cancelled!.cancellationReason).to.equal('changed my mind');
    expect(again).to.deep.equal(cancelled);
    expect(await available(shirt)).to.equal(5);
    const [payment] = await paymentsOf(order.id);
    expect(payment!.status).to.equal(PaymentStatus.PAYMENT_STATUS_REFUNDED);
    expect(minor(payment!.amountRefunded)).to.equal(minor(order.grandTotal));
  });

  it('a customer cannot cancel an order being prepared, staff can until it ships, and another customer sees no order', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([5]);
    const order = await world.placeOrder(
      shopper,
      await world.cart(shopper, [{ product: shirt, quantity: 1 }]),
    );
    const stranger = await world.customer();
    const hidden = await failureOf(
      world.api.order.cancelOrder({ orderId: order.id, reason: 'mine now' }, { token: stranger.token }),
    );
    expect(hidden.code).to.equal(grpc.status.NOT_FOUND);
    await world.api.order.updateOrderStatus(
      { orderId: order.id, status: OrderStatus.ORDER_STATUS_PROCESSING, reason: 'picking' },
      { token: world.admin },
    );

    const late = await failureOf(
      world.api.order.cancelOrder({ orderId: order.id, reason: 'too slow' }, { token: shopper.token }),
    );
    expect(late.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(late.errorInfo?.reason).to.equal('INVALID_STATUS_TRANSITION');

    const { order: cancelled } = await world.api.order.cancelOrder(
      { orderId: order.id, reason: 'out of stock at the warehouse' },
      { token: world.admin },
    );
    expect(cancelled!.status).to.equal(OrderStatus.ORDER_STATUS_CANCELLED);
    expect(await available(shirt)).to.equal(5);
  });

  it('the same cancellation sent five times at once restocks once and refunds once', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([5]);
    const order = await world.placeOrder(
      shopper,
      await world.cart(shopper, [{ product: shirt, quantity: 2 }]),
    );

    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        world.api.order.cancelOrder(
          { orderId: order.id, reason: 'changed my mind' },
          { token: shopper.token },
        ),
      ),
    );

    expect(answers.map((answer) => answer.order!.status)).to.deep.equal(
      Array(5).fill(OrderStatus.ORDER_STATUS_CANCELLED),
    );
    expect(await available(shirt)).to.equal(5);
    const payments = await paymentsOf(order.id);
    expect(payments).to.have.length(1);
    expect(minor(payments[0]!.amountRefunded)).to.equal(minor(order.grandTotal));
  });

  it('the product service down during a cancellation: the order is cancelled at once, and restocked and refunded once it is back', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([5]);
    const order = await world.placeOrder(
      shopper,
      await world.cart(shopper, [{ product: shirt, quantity: 2 }]),
    );

    await world.mesh.stopService('product');
    let cancelled;
    try {
      ({ order: cancelled } = await world.api.order.cancelOrder(
        { orderId: order.id, reason: 'changed my mind' },
        { token: shopper.token, deadlineMs: 20_000 },
      ));
    } finally {
      await world.mesh.startService('product');
    }
    expect(cancelled!.status).to.equal(OrderStatus.ORDER_STATUS_CANCELLED);

    // The settlement job gives back what the cancellation could not: once each.
    const [payment] = await eventually(
      async () => {
        const payments = await paymentsOf(order.id);
        return payments[0]?.status === PaymentStatus.PAYMENT_STATUS_REFUNDED && payments;
      },
      // A restarted product process, then the job's next run (CHECKOUT_RECOVERY_INTERVAL_MS).
      { timeoutMs: 30_000, what: 'the refund made by the settlement job' },
    );
    expect(minor(payment!.amountRefunded)).to.equal(minor(order.grandTotal));
    expect(await available(shirt)).to.equal(5);
    const { order: again } = await world.api.order.cancelOrder(
      { orderId: order.id, reason: 'changed my mind' },
      { token: shopper.token },
    );
    expect(again!.status).to.equal(OrderStatus.ORDER_STATUS_CANCELLED);
    expect(await available(shirt)).to.equal(5);
    expect((await paymentsOf(order.id))[0]!.amountRefunded).to.deep.equal(payment!.amountRefunded);
  });

  it('once a parcel of an order has left, nobody can cancel it: nothing is restocked or refunded', async () => {
    const shopper = await world.customer();
    const shirt = await world.product([5]);
    const order = await world.placeOrder(
      shopper,
      await world.cart(shopper, [{ product: shirt, quantity: 2 }]),
    );
    const [shipment] = await eventually(async () => {
      const { shipments } = await world.api.shipping.listOrderShipments(
        { orderId: order.id },
        { token: world.admin },
      );
      return shipments.length > 0 && shipments;
    });
    // One of the two shirts leaves in a parcel of its own: the order is processing, partly shipped.
    const { created } = await world.api.shipping.splitShipment(
      {
        shipmentId: shipment!.id,
        lines: [{ orderItemId: order.lines[0]!.id, quantity: 1 }],
        idempotencyKey: `split-${newId()}`,
      },
      { token: world.admin },
    );
    const { carriers } = await world.api.shipping.listCarriers(
      { page: { pageSize: 1, pageToken: '' } },
      { token: world.admin },
    );
    await world.api.shipping.markShipmentShipped(
      { shipmentId: created!.id, carrierId: carriers[0]!.id },
      { token: world.admin },
    );
    await eventually(async () => {
      const { order: read } = await world.api.order.getOrder({ orderId: order.id }, { token: shopper.token });
      return read!.status === OrderStatus.ORDER_STATUS_PROCESSING;
    });

    const refused = await failureOf(
      world.api.order.cancelOrder({ orderId: order.id, reason: 'too late' }, { token: world.admin }),
    );
    expect(refused.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(refused.errorInfo?.reason).to.equal('INVALID_STATUS_TRANSITION');
    expect(refused.message).to.contain('a parcel of it has left');
    expect(await available(shirt)).to.equal(3);
    expect((await paymentsOf(order.id))[0]!.status).to.equal(PaymentStatus.PAYMENT_STATUS_CAPTURED);
  });

  /**
   * PlaceOrder as a well-behaved client sends it in a rush: a checkout still queued when the
   * service stops waiting for it answers IDEMPOTENCY_KEY_IN_PROGRESS, and the same key is sent again.
   */
  async function placeOrderPatiently(shopper: Shopper, cartId: string): Promise<Order> {
    const key = `key-${newId()}`;
    for (;;) {
      try {
        return await world.placeOrder(shopper, cartId, { key, deadlineMs: BULK_DEADLINE_MS });
      } catch (error) {
        if ((error as CallFailure).errorInfo?.reason !== 'IDEMPOTENCY_KEY_IN_PROGRESS') throw error;
      }
    }
  }

  async function outcomesOf(checkouts: Promise<Order>[]) {
    return Promise.all(
      checkouts.map((checkout) =>
        checkout.then(
          (order) => ({ ok: true as const, order }),
          (error: CallFailure) => ({
            ok: false as const,
            reason: error.errorInfo?.reason ?? `${error.code}: ${error.message}`,
          }),
        ),
      ),
    );
  }

  it('200 shoppers for 50 units: exactly 50 orders and 150 clean out-of-stock answers', async () => {
    const shirt = await world.product([50]);
    const guests = Array.from({ length: 200 }, () => world.guest());
    const carts = await Promise.all(
      guests.map((guest) => world.cart(guest, [{ product: shirt, quantity: 1 }])),
    );

    const outcomes = await outcomesOf(guests.map((guest, i) => placeOrderPatiently(guest, carts[i]!)));

    const confirmed = outcomes.filter((o) => o.ok);
    expect(confirmed).to.have.length(50);
    expect(outcomes.filter((o) => !o.ok).map((o) => o.reason)).to.deep.equal(Array(150).fill('OUT_OF_STOCK'));
    expect(await available(shirt)).to.equal(0);
  });

  it("500 checkouts on a coupon limited to 100: exactly 100 discounted orders, the others refused with the coupon's reason", async () => {
    const shirt = await world.product([1000]);
    const code = await world.coupon(1000, 100);
    const guests = Array.from({ length: 500 }, () => world.guest());
    const carts = await Promise.all(
      guests.map(async (guest) => {
        const cartId = await world.cart(guest, [{ product: shirt, quantity: 1 }]);
        await world.api.cart.applyCoupon({ cartId, sessionId: guest.sessionId!, couponCode: code });
        return cartId;
      }),
    );

    const outcomes = await outcomesOf(guests.map((guest, i) => placeOrderPatiently(guest, carts[i]!)));

    const discounted = outcomes.filter(
      (o) => o.ok && o.order.couponCode === code && minor(o.order.discountTotal) > 0,
    );
    expect(discounted).to.have.length(100);
    expect(outcomes.filter((o) => o.ok)).to.have.length(100);
    expect(new Set(outcomes.filter((o) => !o.ok).map((o) => o.reason))).to.deep.equal(
      new Set(['COUPON_EXHAUSTED']),
    );
    expect(await available(shirt)).to.equal(900);
  });
});
