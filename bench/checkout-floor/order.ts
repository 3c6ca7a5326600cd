/**
 * The checkout floor's order role (base port + 4, database `<prefix>_order`): PlaceOrder of a
 * guest's cart, the saga with its state persisted where a recovery would need it, and nothing else:
 *
 *  1. the order, pending, with its idempotency key (unique) and saga state: one INSERT, before any
 *     remote call;
 *  2. GetCheckoutCart at cart;
 *  3. ReserveStock at product, whose answer's metadata carries each line's unit price now (compared
 *     with the cart's: no separate re-read of the prices);
 *  4. ConfirmShippingMethod at shipping;
 *  5. PriceCart at discount;
 *  6. tax in process (a rate by destination country, prices without tax);
 *  7. the totals checkpointed into the saga state (one UPDATE: a recovery charges the same total);
 *  8. AuthorizePayment, then CapturePayment at payment (keys derived from the order id);
 *  9. "captured" checkpointed (one UPDATE: the pivot, from which the order only goes forward);
 * 10. CommitReservation at product;
 * 11. the order confirmed with its order.confirmed outbox row (one statement).
 *
 * Then the event is published to JetStream (ack awaited) and its outbox row marked published (one
 * UPDATE), without holding up the answer, as the real service's relay does it apart from the call.
 * A failed step answers its error and leaves the order pending: no compensation, no recovery loop.
 * Everything else is UNIMPLEMENTED.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { CartServiceClient, CartStatus } from '../../gen/ecommerce/cart/v1/cart.js';
import type { Money } from '../../gen/ecommerce/common/v1/money.js';
import { DiscountServiceClient } from '../../gen/ecommerce/discount/v1/discount.js';
import {
  OrderServiceService,
  OrderStatus,
  PlaceOrderResponse,
  type OrderServiceServer,
  type PlaceOrderRequest,
} from '../../gen/ecommerce/order/v1/order.js';
import { PaymentServiceClient } from '../../gen/ecommerce/payment/v1/payment.js';
import { ProductServiceClient } from '../../gen/ecommerce/product/v1/product.js';
import { ShippingServiceClient } from '../../gen/ecommerce/shipping/v1/shipping.js';
import {
  addressOf,
  answer,
  call,
  floorOptions,
  insecure,
  openDatabase,
  openEvents,
  ready,
  Refusal,
  run,
  serve,
  stopServer,
  UNIT_PRICES_KEY,
  type OrderConfirmedEvent,
} from './shared.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS orders (
    id uuid PRIMARY KEY, number bigserial NOT NULL, idempotency_key text NOT NULL UNIQUE, cart_id uuid NOT NULL,
    guest_email text NOT NULL, status text NOT NULL, step text NOT NULL, saga jsonb NOT NULL, payment_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz);
  CREATE TABLE IF NOT EXISTS outbox (
    id uuid PRIMARY KEY, subject text NOT NULL, payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), published_at timestamptz)`;

const BEGIN_ORDER = {
  name: 'begin_order',
  text: `INSERT INTO orders (id, idempotency_key, cart_id, guest_email, status, step, saga)
    VALUES ($1, $2, $3, $4, 'pending', 'read_cart', $5) RETURNING number`,
};

const CHECKPOINT_TOTALS = {
  name: 'checkpoint_totals',
  text: `UPDATE orders SET step = 'authorize_payment', saga = $2, updated_at = now() WHERE id = $1`,
};

/** The pivot; the one-time payment token is not kept once used. */
const CHECKPOINT_CAPTURED = {
  name: 'checkpoint_captured',
  text: `UPDATE orders SET step = 'commit_stock', payment_id = $2, saga = saga #- '{request,paymentToken}',
      updated_at = now()
    WHERE id = $1`,
};

const CONFIRM_ORDER = {
  name: 'confirm_order',
  text: `WITH confirmed AS (
      UPDATE orders SET status = 'confirmed', step = 'done', confirmed_at = now(), updated_at = now()
      WHERE id = $1
      RETURNING confirmed_at)
    INSERT INTO outbox (id, subject, payload) SELECT $2, $3, $4 FROM confirmed
    RETURNING (SELECT confirmed_at FROM confirmed)`,
};

const MARK_PUBLISHED = {
  name: 'mark_published',
  text: 'UPDATE outbox SET published_at = now() WHERE id = $1',
};

/** Tax rates in % by destination country; prices are without tax. */
const TAX_RATES: Record<string, number> = { DE: 19 };

const options = floorOptions();
const pool = await openDatabase(options, 'order', SCHEMA);
const events = await openEvents(options, 'order');
const carts = new CartServiceClient(addressOf(options, 'cart'), insecure);
const products = new ProductServiceClient(addressOf(options, 'product'), insecure);
const shipping = new ShippingServiceClient(addressOf(options, 'shipping'), insecure);
const discounts = new DiscountServiceClient(addressOf(options, 'discount'), insecure);
const payments = new PaymentServiceClient(addressOf(options, 'payment'), insecure);

function refuse(message: string): never {
  throw new Refusal(grpc.status.FAILED_PRECONDITION, message);
}

/** Each variant's unit price as the product role sent it with ReserveStock (see UNIT_PRICES_KEY). */
function unitPricesOf(metadata: grpc.Metadata): Map<string, Money> {
  const prices = new Map<string, Money>();
  for (const entry of String(metadata.get(UNIT_PRICES_KEY)[0] ?? '').split(',')) {
    const [variantId = '', currencyCode = '', amount = ''] = entry.split(' ');
    prices.set(variantId, { currencyCode, amountMinor: Number(amount) });
  }
  return prices;
}

async function placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
  if (request.destination?.$case !== 'shippingAddress')
    throw new Refusal(grpc.status.UNIMPLEMENTED, 'the checkout floor ships to a given address only');
  if (request.payment?.$case !== 'paymentToken')
    throw new Refusal(grpc.status.UNIMPLEMENTED, 'the checkout floor pays with a one-time token only');
  const address = request.destination.value;
  const orderId = randomUUID();
  const createdAt = new Date();
  const saga: Record<string, unknown> = {
    request: {
      cartId: request.cartId,
      sessionId: request.sessionId,
      guestEmail: request.guestEmail,
      shippingAddress: address,
      shippingMethodId: request.shippingMethodId,
      paymentToken: request.payment.value,
    },
  };

  // 1. The order, before any remote call.
  let orderNumber: string;
  try {
    const [row] = await run<{ number: string }>(pool, BEGIN_ORDER, [
      orderId,
      request.idempotencyKey,
      request.cartId,
      request.guestEmail,
      JSON.stringify(saga),
    ]);
    orderNumber = `ORD-${row!.number}`;
  } catch (error) {
    if ((error as { code?: string }).code === '23505')
      throw new Refusal(grpc.status.ALREADY_EXISTS, `an order with key ${request.idempotencyKey} exists`);
    throw error;
  }

  // 2. The cart.
  const { cart } = await call(carts.getCheckoutCart.bind(carts), {
    cartId: request.cartId,
    owner: { $case: 'sessionId', value: request.sessionId },
  });
  if (!cart || cart.status !== CartStatus.CART_STATUS_ACTIVE) refuse(`cart ${request.cartId} is not active`);
  if (cart.lines.length === 0) refuse(`cart ${request.cartId} is empty`);
  const currency = cart.currencyCode;
  const money = (amountMinor: number): Money => ({ currencyCode: currency, amountMinor });

  // 3. The stock, and the prices now.
  let unitPrices = new Map<string, Money>();
  await call(
    products.reserveStock.bind(products),
    { orderId, lines: cart.lines.map((line) => ({ variantId: line.variantId, quantity: line.quantity })) },
    (metadata) => (unitPrices = unitPricesOf(metadata)),
  );
  const repriced = cart.lines.filter((line) => {
    const now = unitPrices.get(line.variantId);
    return now?.currencyCode !== currency || now.amountMinor !== line.unitPrice?.amountMinor;
  });
  if (repriced.length > 0)
    refuse(`prices changed since they were shown: ${repriced.map((line) => line.productSku).join(', ')}`);
  const lines = cart.lines.map((line) => ({
    lineId: line.itemId,
    productId: line.productId,
    variantId: line.variantId,
    sku: line.productSku,
    name: line.productName,
    quantity: line.quantity,
    unitPriceMinor: line.unitPrice!.amountMinor,
  }));
  const subtotalMinor = lines.reduce((sum, line) => sum + line.unitPriceMinor * line.quantity, 0);

  // 4. The shipping method's price.
  const { option } = await call(shipping.confirmShippingMethod.bind(shipping), {
    methodId: request.shippingMethodId,
    destination: address,
    lines: lines.map(({ productId, variantId, quantity }) => ({ productId, variantId, quantity })),
    subtotal: money(subtotalMinor),
  });
  if (option?.price?.currencyCode !== currency)
    refuse(`shipping method ${request.shippingMethodId} is not priced in ${currency}`);
  const shippingMinor = option.price.amountMinor;

  // 5. Discounts.
  const priced = await call(discounts.priceCart.bind(discounts), {
    currencyCode: currency,
    lines: lines.map((line) => ({
      lineId: line.lineId,
      productId: line.productId,
      variantId: line.variantId,
      categoryIds: [],
      unitPrice: money(line.unitPriceMinor),
      quantity: line.quantity,
    })),
    shipping: money(shippingMinor),
    customer: { identity: { $case: 'guestEmail', value: request.guestEmail } },
    couponCode: cart.couponCode,
  });
  if (priced.coupon?.refusal) refuse(priced.coupon.refusal.message);
  const lineDiscounts = new Map(priced.lines.map((line) => [line.lineId, line.discount?.amountMinor ?? 0]));
  const shippingDiscountMinor = priced.totals?.shippingDiscount?.amountMinor ?? 0;

  // 6. Tax.
  const rate = TAX_RATES[address.country] ?? 0;
  const taxOf = (amountMinor: number) => Math.round((amountMinor * rate) / 100);
  const orderLines = lines.map((line) => {
    const discountMinor = lineDiscounts.get(line.lineId) ?? 0;
    const net = line.unitPriceMinor * line.quantity - discountMinor;
    return { ...line, discountMinor, taxMinor: taxOf(net), totalMinor: net + taxOf(net) };
  });
  const shippingTaxMinor = taxOf(shippingMinor - shippingDiscountMinor);
  const discountTotalMinor =
    orderLines.reduce((sum, line) => sum + line.discountMinor, 0) + shippingDiscountMinor;
  const taxTotalMinor = orderLines.reduce((sum, line) => sum + line.taxMinor, 0) + shippingTaxMinor;
  const grandTotalMinor = subtotalMinor - discountTotalMinor + shippingMinor + taxTotalMinor;
  const amount = money(grandTotalMinor);

  // 7. The totals a recovery must charge.
  Object.assign(saga, {
    currency,
    lines: orderLines,
    shipping: { methodName: option.name, priceMinor: shippingMinor, taxMinor: shippingTaxMinor },
    totals: { subtotalMinor, discountTotalMinor, shippingMinor, taxTotalMinor, grandTotalMinor },
  });
  await run(pool, CHECKPOINT_TOTALS, [orderId, JSON.stringify(saga)]);

  // 8. The money (nothing to take for a total of 0).
  let paymentId = '';
  if (grandTotalMinor > 0) {
    const { payment } = await call(payments.authorizePayment.bind(payments), {
      orderId,
      userId: '',
      guestEmail: request.guestEmail,
      amount,
      paymentMethodId: '',
      paymentToken: request.payment.value,
      idempotencyKey: `${orderId}-authorize`,
      capture: false,
    });
    paymentId = payment!.id;
    await call(payments.capturePayment.bind(payments), {
      paymentId,
      amount,
      idempotencyKey: `${orderId}-capture`,
    });
  }

  // 9. The pivot.
  await run(pool, CHECKPOINT_CAPTURED, [orderId, paymentId || null]);

  // 10. The stock, for good.
  await call(products.commitReservation.bind(products), { orderId });

  // 11. Confirmed, with its event in the outbox.
  const event: OrderConfirmedEvent = {
    eventId: randomUUID(),
    orderId,
    orderNumber,
    cartId: request.cartId,
    guestEmail: request.guestEmail,
    shippingMethodId: request.shippingMethodId,
    shippingAddress: address,
    currency,
    grandTotalMinor,
    lines: lines.map(({ productId, variantId, sku, name, quantity, unitPriceMinor }) => ({
      productId,
      variantId,
      sku,
      name,
      quantity,
      unitPriceMinor,
    })),
  };
  const body = JSON.stringify(event);
  const subject = events.subject('order.confirmed');
  const [confirmed] = await run<{ confirmed_at: Date }>(pool, CONFIRM_ORDER, [
    orderId,
    event.eventId,
    subject,
    body,
  ]);
  void publish(event.eventId, subject, body);

  return PlaceOrderResponse.fromPartial({
    order: {
      id: orderId,
      orderNumber,
      status: OrderStatus.ORDER_STATUS_CONFIRMED,
      guestEmail: request.guestEmail,
      cartId: request.cartId,
      lines: orderLines.map((line) => ({
        id: line.lineId,
        productId: line.productId,
        variantId: line.variantId,
        productName: line.name,
        sku: line.sku,
        quantity: line.quantity,
        unitPrice: money(line.unitPriceMinor),
        discount: money(line.discountMinor),
        tax: money(line.taxMinor),
        total: money(line.totalMinor),
      })),
      subtotal: money(subtotalMinor),
      discountTotal: money(discountTotalMinor),
      shippingTotal: money(shippingMinor),
      taxTotal: money(taxTotalMinor),
      grandTotal: amount,
      couponCode: cart.couponCode,
      shippingAddress: address,
      shippingMethodId: request.shippingMethodId,
      shippingMethodName: option.name,
      paymentId,
      createdAt,
      confirmedAt: confirmed?.confirmed_at,
      pricesIncludeTax: false,
    },
  });
}

/** The outbox row's event to JetStream (ack awaited), then the row marked published. */
async function publish(eventId: string, subject: string, body: string): Promise<void> {
  try {
    await events.js.publish(subject, body, { msgID: eventId });
    await run(pool, MARK_PUBLISHED, [eventId]);
  } catch (error) {
    // No relay here to try again: the row stays unpublished and the consumers never see the order.
    console.error(`checkout floor order: publishing ${eventId}: ${(error as Error).message}`);
  }
}

const handlers: Partial<OrderServiceServer> = { placeOrder: answer(placeOrder) };

const server = await serve(options, 'order', OrderServiceService, handlers);
ready('order', async () => {
  await stopServer(server);
  for (const client of [carts, products, shipping, discounts, payments]) client.close();
  await events.nc.drain();
  await pool.end();
});
