/**
 * The checkout floor's product role (base port + 3, database `<prefix>_product`): a product with
 * one variant and its stock (CreateProduct, for the prepare), reads of products (GetProduct,
 * BatchGetProducts: one SELECT each) and the reservation of an order's stock (ReserveStock,
 * CommitReservation: one statement each). Everything else is UNIMPLEMENTED.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  BatchGetProductsResponse,
  CommitReservationResponse,
  CreateProductResponse,
  CreateVariant,
  GetProductResponse,
  ProductServiceService,
  ProductStatus,
  ReservationState,
  ReserveStockResponse,
  StockStatus,
  type BatchGetProductsRequest,
  type CommitReservationRequest,
  type CreateProductRequest,
  type GetProductRequest,
  type Product,
  type ProductServiceServer,
  type ReserveStockRequest,
} from '../../gen/ecommerce/product/v1/product.js';
import {
  answer,
  floorOptions,
  minor,
  openDatabase,
  ready,
  Refusal,
  run,
  serve,
  stopServer,
  UNIT_PRICES_KEY,
} from './shared.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS products (
    id uuid PRIMARY KEY, sku text NOT NULL, name text NOT NULL, slug text NOT NULL, description text NOT NULL,
    currency char(3) NOT NULL, price_minor bigint NOT NULL, weight_grams integer,
    created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS variants (
    id uuid PRIMARY KEY, product_id uuid NOT NULL, sku text NOT NULL, name text NOT NULL,
    currency char(3) NOT NULL, price_minor bigint NOT NULL, weight_grams integer);
  CREATE INDEX IF NOT EXISTS variants_product_id ON variants (product_id);
  CREATE TABLE IF NOT EXISTS inventory (
    variant_id uuid PRIMARY KEY, available integer NOT NULL CHECK (available >= 0));
  CREATE TABLE IF NOT EXISTS reservations (
    order_id uuid PRIMARY KEY, state text NOT NULL, variant_ids uuid[] NOT NULL, quantities integer[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`;

/** The product, its variant and the variant's stock (prepare only). */
const CREATE_PRODUCT = {
  name: 'create_product',
  text: `WITH product AS (
      INSERT INTO products (id, sku, name, slug, description, currency, price_minor, weight_grams)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)),
    variant AS (
      INSERT INTO variants (id, product_id, sku, name, currency, price_minor, weight_grams)
      VALUES ($9, $1, $10, $11, $6, $12, $13))
    INSERT INTO inventory (variant_id, available) VALUES ($9, $14)`,
};

const PRODUCT_COLUMNS = `p.id, p.sku, p.name, p.slug, p.description, p.currency, p.price_minor, p.weight_grams,
  p.created_at, v.id AS variant_id, v.sku AS variant_sku, v.name AS variant_name,
  v.price_minor AS variant_price_minor, coalesce(v.weight_grams, p.weight_grams) AS variant_weight_grams,
  i.available
  FROM products p JOIN variants v ON v.product_id = p.id JOIN inventory i ON i.variant_id = v.id`;

const GET_PRODUCT = { name: 'get_product', text: `SELECT ${PRODUCT_COLUMNS} WHERE p.id = $1` };
const GET_PRODUCTS = {
  name: 'get_products',
  text: `SELECT ${PRODUCT_COLUMNS} WHERE p.id = ANY ($1::uuid[])`,
};

/**
 * Every line's units taken from its stock, or none. The reservation row is inserted first: a repeat
 * of the order id inserts nothing and so takes nothing (idempotent). Each line's stock is decremented
 * only where enough is available; when fewer lines than asked were, the statement fails on a
 * division by zero (SQLSTATE 22012), which undoes all of it. Answers the reservation's state (for a
 * repeat as stored; NULL while another call is inserting it) and each line's unit price now.
 */
const RESERVE_STOCK = {
  name: 'reserve_stock',
  text: `WITH reserved AS (
      INSERT INTO reservations (order_id, state, variant_ids, quantities) VALUES ($1, 'reserved', $2, $3)
      ON CONFLICT (order_id) DO NOTHING
      RETURNING order_id),
    taken AS (
      UPDATE inventory i SET available = i.available - w.quantity
      FROM unnest($2::uuid[], $3::integer[]) AS w (variant_id, quantity), reserved
      WHERE i.variant_id = w.variant_id AND i.available >= w.quantity
      RETURNING i.variant_id),
    outcome AS (
      SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM reserved) THEN (SELECT state FROM reservations WHERE order_id = $1)
        WHEN 1 / ((SELECT count(*) FROM taken) = cardinality($2::uuid[]))::integer = 1 THEN 'reserved'
      END AS state)
    SELECT outcome.state, v.id AS variant_id, v.currency, v.price_minor
    FROM outcome LEFT JOIN variants v ON v.id = ANY ($2::uuid[])`,
};

const COMMIT_RESERVATION = {
  name: 'commit_reservation',
  text: `UPDATE reservations SET state = 'committed', updated_at = now() WHERE order_id = $1
    RETURNING variant_ids, quantities`,
};

interface ProductRow {
  id: string;
  sku: string;
  name: string;
  slug: string;
  description: string;
  currency: string;
  price_minor: string;
  weight_grams: number | null;
  created_at: Date;
  variant_id: string;
  variant_sku: string;
  variant_name: string;
  variant_price_minor: string;
  variant_weight_grams: number | null;
  available: number;
}

const LOW_STOCK = 10;

function stockStatusOf(available: number): StockStatus {
  if (available <= 0) return StockStatus.STOCK_STATUS_OUT_OF_STOCK;
  return available <= LOW_STOCK ? StockStatus.STOCK_STATUS_LOW_STOCK : StockStatus.STOCK_STATUS_IN_STOCK;
}

/** The products of the rows (one row per variant), in the order of their first row. */
function productsOf(rows: ProductRow[]): Map<string, Product> {
  const products = new Map<string, Product>();
  for (const row of rows) {
    let product = products.get(row.id);
    if (!product) {
      product = {
        id: row.id,
        sku: row.sku,
        name: row.name,
        slug: row.slug,
        description: row.description,
        price: { currencyCode: row.currency, amountMinor: minor(row.price_minor) },
        status: ProductStatus.PRODUCT_STATUS_ACTIVE,
        variants: [],
        createdAt: row.created_at,
        updatedAt: row.created_at,
        visible: true,
        shortDescription: '',
        compareAtPrice: undefined,
        images: [],
        tags: [],
        categoryIds: [],
        rating: undefined,
        publishedAt: row.created_at,
        stockStatus: StockStatus.STOCK_STATUS_UNSPECIFIED,
        weightGrams: row.weight_grams ?? undefined,
        dimensions: undefined,
      };
      products.set(row.id, product);
    }
    product.variants.push({
      id: row.variant_id,
      sku: row.variant_sku,
      name: row.variant_name,
      price: { currencyCode: row.currency, amountMinor: minor(row.variant_price_minor) },
      availableQuantity: row.available,
      compareAtPrice: undefined,
      attributes: {},
      imageUrl: '',
      weightGrams: row.variant_weight_grams ?? undefined,
      dimensions: undefined,
    });
  }
  for (const product of products.values()) {
    product.stockStatus = stockStatusOf(product.variants.reduce((sum, v) => sum + v.availableQuantity, 0));
  }
  return products;
}

const options = floorOptions();
const pool = await openDatabase(options, 'product', SCHEMA);

const handlers: Partial<ProductServiceServer> = {
  createProduct: answer(async (request: CreateProductRequest) => {
    const variant = request.variants[0] ?? CreateVariant.fromPartial({ sku: request.sku, name: 'Default' });
    const row: ProductRow = {
      id: randomUUID(),
      sku: request.sku,
      name: request.name,
      slug: request.slug,
      description: request.description,
      currency: request.price?.currencyCode ?? '',
      price_minor: String(request.price?.amountMinor ?? 0),
      weight_grams: request.weightGrams ?? null,
      created_at: new Date(),
      variant_id: randomUUID(),
      variant_sku: variant.sku,
      variant_name: variant.name,
      variant_price_minor: String(variant.price?.amountMinor ?? request.price?.amountMinor ?? 0),
      variant_weight_grams: variant.weightGrams ?? request.weightGrams ?? null,
      available: variant.initialStock,
    };
    await run(pool, CREATE_PRODUCT, [
      row.id,
      row.sku,
      row.name,
      row.slug,
      row.description,
      row.currency,
      row.price_minor,
      row.weight_grams,
      row.variant_id,
      row.variant_sku,
      row.variant_name,
      row.variant_price_minor,
      variant.weightGrams ?? null,
      row.available,
    ]);
    const [product] = productsOf([row]).values();
    return CreateProductResponse.fromPartial({ product });
  }),

  getProduct: answer(async (request: GetProductRequest) => {
    if (request.lookup?.$case !== 'id')
      throw new Refusal(grpc.status.UNIMPLEMENTED, 'the checkout floor looks products up by id only');
    const [product] = productsOf(await run<ProductRow>(pool, GET_PRODUCT, [request.lookup.value])).values();
    if (!product) throw new Refusal(grpc.status.NOT_FOUND, `product ${request.lookup.value} not found`);
    return GetProductResponse.fromPartial({ product });
  }),

  batchGetProducts: answer(async (request: BatchGetProductsRequest) => {
    const ids = [...new Set(request.ids)];
    const found = productsOf(await run<ProductRow>(pool, GET_PRODUCTS, [ids]));
    return BatchGetProductsResponse.fromPartial({
      products: ids.flatMap((id) => found.get(id) ?? []),
      missingIds: ids.filter((id) => !found.has(id)),
    });
  }),

  reserveStock: answer(async (request: ReserveStockRequest, call) => {
    const variantIds = request.lines.map((line) => line.variantId);
    let rows: { state: string | null; variant_id: string; currency: string; price_minor: string }[];
    try {
      rows = await run(pool, RESERVE_STOCK, [
        request.orderId,
        variantIds,
        request.lines.map((line) => line.quantity),
      ]);
    } catch (error) {
      if ((error as { code?: string }).code === '22012')
        throw new Refusal(grpc.status.FAILED_PRECONDITION, `not enough stock for order ${request.orderId}`);
      throw error;
    }
    const state = rows[0]?.state;
    if (!state) throw new Refusal(grpc.status.ABORTED, `order ${request.orderId} is being reserved: retry`);
    const metadata = new grpc.Metadata();
    metadata.set(
      UNIT_PRICES_KEY,
      rows
        .filter((row) => row.variant_id)
        .map((row) => `${row.variant_id} ${row.currency} ${minor(row.price_minor)}`)
        .join(','),
    );
    call.sendMetadata(metadata);
    return ReserveStockResponse.fromPartial({
      reservation: {
        orderId: request.orderId,
        state:
          state === 'committed'
            ? ReservationState.RESERVATION_STATE_COMMITTED
            : ReservationState.RESERVATION_STATE_RESERVED,
        units: request.lines.map((line) => ({ ...line, location: 'default' })),
      },
    });
  }),

  commitReservation: answer(async (request: CommitReservationRequest) => {
    const [row] = await run<{ variant_ids: string[]; quantities: number[] }>(pool, COMMIT_RESERVATION, [
      request.orderId,
    ]);
    if (!row) throw new Refusal(grpc.status.NOT_FOUND, `no reservation for order ${request.orderId}`);
    return CommitReservationResponse.fromPartial({
      reservation: {
        orderId: request.orderId,
        state: ReservationState.RESERVATION_STATE_COMMITTED,
        units: row.variant_ids.map((variantId, k) => ({
          variantId,
          location: 'default',
          quantity: row.quantities[k],
        })),
      },
    });
  }),
};

const server = await serve(options, 'product', ProductServiceService, handlers);
ready('product', async () => {
  await stopServer(server);
  await pool.end();
});
