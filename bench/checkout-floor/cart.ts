/**
 * The checkout floor's cart role (base port + 7, database `<prefix>_cart`): a guest's new cart with
 * its first line (AddItem with an empty cart id: GetProduct at the product role, then one
 * statement), the checkout's read of it (GetCheckoutCart: one SELECT), and its conversion when the
 * order is confirmed (durable consumer of order.confirmed: one statement, deduplicated by event id).
 * Everything else is UNIMPLEMENTED.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  AddItemResponse,
  CartServiceService,
  CartStatus,
  GetCheckoutCartResponse,
  type AddItemRequest,
  type CartServiceServer,
  type GetCheckoutCartRequest,
} from '../../gen/ecommerce/cart/v1/cart.js';
import { ProductServiceClient } from '../../gen/ecommerce/product/v1/product.js';
import {
  addressOf,
  answer,
  call,
  consume,
  floorOptions,
  insecure,
  minor,
  openDatabase,
  openEvents,
  ready,
  Refusal,
  run,
  serve,
  stopServer,
  type OrderConfirmedEvent,
} from './shared.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS carts (
    id uuid PRIMARY KEY, session_id text NOT NULL, status text NOT NULL, currency char(3) NOT NULL,
    version integer NOT NULL DEFAULT 1, order_id uuid, created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz NOT NULL);
  CREATE TABLE IF NOT EXISTS cart_items (
    id uuid PRIMARY KEY, cart_id uuid NOT NULL, position integer NOT NULL, product_id uuid NOT NULL,
    variant_id uuid NOT NULL, product_name text NOT NULL, sku text NOT NULL, unit_price_minor bigint NOT NULL,
    quantity integer NOT NULL);
  CREATE INDEX IF NOT EXISTS cart_items_cart_id ON cart_items (cart_id);
  CREATE TABLE IF NOT EXISTS inbox (event_id uuid PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now())`;

const CART_LIFETIME_MS = 30 * 24 * 3_600_000;

/** The cart and its first line. */
const CREATE_CART = {
  name: 'create_cart',
  text: `WITH cart AS (
      INSERT INTO carts (id, session_id, status, currency, expires_at) VALUES ($1, $2, 'active', $3, $4))
    INSERT INTO cart_items (id, cart_id, position, product_id, variant_id, product_name, sku, unit_price_minor,
      quantity)
    VALUES ($5, $1, 0, $6, $7, $8, $9, $10, $11)`,
};

const CHECKOUT_CART = {
  name: 'checkout_cart',
  text: `SELECT c.status, c.currency, c.version, i.id AS item_id, i.product_id, i.variant_id, i.quantity,
      i.unit_price_minor, i.product_name, i.sku
    FROM carts c LEFT JOIN cart_items i ON i.cart_id = c.id
    WHERE c.id = $1 AND c.session_id = $2
    ORDER BY i.position`,
};

/** Converts the cart unless this event was applied before (its id in the inbox). */
const CONVERT_CART = {
  name: 'convert_cart',
  text: `WITH fresh AS (
      INSERT INTO inbox (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id)
    UPDATE carts SET status = 'converted', order_id = $3, version = version + 1, updated_at = now()
    FROM fresh WHERE carts.id = $2`,
};

const STATUSES: Record<string, CartStatus> = {
  active: CartStatus.CART_STATUS_ACTIVE,
  converted: CartStatus.CART_STATUS_CONVERTED,
};

const options = floorOptions();
const pool = await openDatabase(options, 'cart', SCHEMA);
const products = new ProductServiceClient(addressOf(options, 'product'), insecure);

const handlers: Partial<CartServiceServer> = {
  addItem: answer(async (request: AddItemRequest) => {
    if (request.cartId)
      throw new Refusal(grpc.status.UNIMPLEMENTED, 'the checkout floor adds items to new carts only');
    const { product } = await call(products.getProduct.bind(products), {
      lookup: { $case: 'id', value: request.productId },
    });
    const variant = product?.variants.find((candidate) => candidate.id === request.variantId);
    if (!product || !variant?.price)
      throw new Refusal(grpc.status.NOT_FOUND, `variant ${request.variantId} not found`);
    if (variant.availableQuantity < request.quantity)
      throw new Refusal(grpc.status.FAILED_PRECONDITION, `only ${variant.availableQuantity} available`);
    const cartId = randomUUID();
    const itemId = randomUUID();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + CART_LIFETIME_MS);
    const price = variant.price;
    await run(pool, CREATE_CART, [
      cartId,
      request.sessionId,
      price.currencyCode,
      expiresAt,
      itemId,
      product.id,
      variant.id,
      product.name,
      variant.sku,
      price.amountMinor,
      request.quantity,
    ]);
    const lineTotal = { currencyCode: price.currencyCode, amountMinor: price.amountMinor * request.quantity };
    return AddItemResponse.fromPartial({
      cart: {
        id: cartId,
        sessionId: request.sessionId,
        status: CartStatus.CART_STATUS_ACTIVE,
        currencyCode: price.currencyCode,
        items: [
          {
            id: itemId,
            productId: product.id,
            variantId: variant.id,
            productName: product.name,
            productSku: variant.sku,
            unitPrice: price,
            quantity: request.quantity,
            lineTotal,
          },
        ],
        subtotal: lineTotal,
        createdAt: now,
        updatedAt: now,
        itemCount: request.quantity,
        expiresAt,
      },
    });
  }),

  getCheckoutCart: answer(async (request: GetCheckoutCartRequest) => {
    if (request.owner?.$case !== 'sessionId')
      throw new Refusal(grpc.status.UNIMPLEMENTED, 'the checkout floor has guest carts only');
    const rows = await run<{
      status: string;
      currency: string;
      version: number;
      item_id: string | null;
      product_id: string;
      variant_id: string;
      quantity: number;
      unit_price_minor: string;
      product_name: string;
      sku: string;
    }>(pool, CHECKOUT_CART, [request.cartId, request.owner.value]);
    const [cart] = rows;
    if (!cart) throw new Refusal(grpc.status.NOT_FOUND, `cart ${request.cartId} not found`);
    return GetCheckoutCartResponse.fromPartial({
      cart: {
        id: request.cartId,
        status: STATUSES[cart.status] ?? CartStatus.CART_STATUS_UNSPECIFIED,
        currencyCode: cart.currency,
        version: cart.version,
        lines: rows
          .filter((row) => row.item_id)
          .map((row) => ({
            itemId: row.item_id!,
            productId: row.product_id,
            variantId: row.variant_id,
            quantity: row.quantity,
            unitPrice: { currencyCode: cart.currency, amountMinor: minor(row.unit_price_minor) },
            productName: row.product_name,
            productSku: row.sku,
          })),
      },
    });
  }),
};

const server = await serve(options, 'cart', CartServiceService, handlers);
const events = await openEvents(options, 'cart');
const stopConsuming = await consume<OrderConfirmedEvent>(
  events,
  `${options.prefix}_cart`,
  'order.confirmed',
  async (event) => {
    await run(pool, CONVERT_CART, [event.eventId, event.cartId, event.orderId]);
  },
);
ready('cart', async () => {
  stopConsuming();
  await stopServer(server);
  products.close();
  await events.nc.drain();
  await pool.end();
});
