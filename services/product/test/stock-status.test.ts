import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  CreateProductRequest,
  ListProductsRequest,
  StockStatus,
  UpdateProductRequest,
} from '../../../gen/ecommerce/product/v1/product.js';
import { AppError } from '../../../lib/errors.js';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { productDatabase } from '../src/database.js';
import { createProduct } from '../src/domain/create-product.js';
import { listProducts, requireListing } from '../src/domain/list-products.js';
import { loadProductView } from '../src/domain/product-view.js';
import { updateProduct } from '../src/domain/update-product.js';
import { adjustStock } from '../src/domain/inventory/adjust-stock.js';
import { commitReservation, releaseReservation, reserveStock } from '../src/domain/inventory/reservations.js';
import { restock } from '../src/domain/inventory/restock.js';
import { reconcileStockStatus, stockStatusOf } from '../src/domain/inventory/stock-status.js';

/** The service's PRODUCT_LOW_STOCK_THRESHOLD in these tests. */
const THRESHOLD = 5;

/**
 * products.stock_status: set in the transaction of every stock change, from the units available
 * over the product's active variants (out_of_stock at 0, low_stock at or below the threshold).
 */
const AS_MESSAGE: Record<string, StockStatus> = {
  in_stock: StockStatus.STOCK_STATUS_IN_STOCK,
  low_stock: StockStatus.STOCK_STATUS_LOW_STOCK,
  out_of_stock: StockStatus.STOCK_STATUS_OUT_OF_STOCK,
  backorder: StockStatus.STOCK_STATUS_BACKORDER,
};

describe('inventory: products.stock_status follows the stock', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openScratchDatabase('product_stock_status', productDatabase);
  });
  after(async () => {
    await db?.drop();
  });

  const random = () => Math.random().toString(36).slice(2, 8).toUpperCase();

  /** A product with one variant per entry of `stocks` (that opening stock each). */
  async function newProduct(
    stocks: number[],
    options: { threshold?: number; variantThreshold?: number; tag?: string } = {},
  ) {
    const sku = `SS-${random()}`;
    return createProduct(
      db.orm.em.fork(),
      CreateProductRequest.fromPartial({
        sku,
        name: 'Stocked',
        slug: sku.toLowerCase(),
        price: { currencyCode: 'EUR', amountMinor: 100 },
        tags: options.tag ? [options.tag] : [],
        variants: stocks.map((initialStock, i) => ({
          sku: `${sku}-${i}`,
          name: `V${i}`,
          initialStock,
          lowStockThreshold: options.variantThreshold,
        })),
      }),
      options.threshold ?? THRESHOLD,
    );
  }

  /** The stored status, checked against what GetProduct answers (the view) on every read. */
  async function stockStatus(productId: string): Promise<string> {
    const [row] = await db.orm.em
      .fork()
      .execute<{ stock_status: string }[]>('SELECT stock_status FROM products WHERE id = ?', [productId]);
    const view = await loadProductView(db.orm.em.fork(), { id: productId });
    expect(view!.stockStatus, 'the Product message').to.equal(AS_MESSAGE[row!.stock_status]);
    return row!.stock_status;
  }

  const reserve = (variantId: string, quantity: number, orderId = newId()) =>
    reserveStock(db.orm.em.fork(), { orderId, lines: [{ variantId, quantity }] }, THRESHOLD);
  const adjust = (variantId: string, delta: number, location = '') =>
    adjustStock(
      db.orm.em.fork(),
      { variantId, location, delta, reason: 'count', idempotencyKey: newId() },
      'editor',
      THRESHOLD,
    );

  it('has one rule: none available is out of stock, at or below the threshold low, above it in stock', () => {
    expect([0, -1, 1, 4, 5, 6].map((units) => stockStatusOf(units, 5))).to.deep.equal([
      'out_of_stock',
      'out_of_stock',
      'low_stock',
      'low_stock',
      'low_stock',
      'in_stock',
    ]);
    expect(stockStatusOf(1, 0)).to.equal('in_stock');
  });

  it('is set from the opening stock when a product is created, over all its variants', async () => {
    expect(await stockStatus((await newProduct([10])).id)).to.equal('in_stock');
    // 3 + 2 = 5: at the product threshold, whatever the stock rows' own thresholds say.
    expect(await stockStatus((await newProduct([3, 2], { variantThreshold: 0 })).id)).to.equal('low_stock');
    expect(await stockStatus((await newProduct([6, 0])).id)).to.equal('in_stock');
    expect(await stockStatus((await newProduct([0, 0])).id)).to.equal('out_of_stock');
    expect(await stockStatus((await newProduct([])).id), 'the default variant has no stock').to.equal(
      'out_of_stock',
    );
    expect(await stockStatus((await newProduct([10], { threshold: 20 })).id)).to.equal('low_stock');
  });

  it('follows reservations, releases, commits, restocks and adjustments, in their transactions', async () => {
    const product = await newProduct([6]);
    const variantId = product.variants[0]!.id;
    const first = await reserve(variantId, 1); // 5 available
    expect(await stockStatus(product.id)).to.equal('low_stock');
    const second = await reserve(variantId, 5); // 0
    expect(await stockStatus(product.id)).to.equal('out_of_stock');

    // A refused reservation changes nothing, the status neither.
    const failure = await reserve(variantId, 1).catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(AppError);
    expect((failure as AppError).code).to.equal(status.FAILED_PRECONDITION);
    expect((failure as AppError).reason).to.equal('OUT_OF_STOCK');
    expect((failure as AppError).metadata).to.deep.equal({ variant_ids: variantId });
    expect(await stockStatus(product.id)).to.equal('out_of_stock');

    await releaseReservation(db.orm.em.fork(), { orderId: second.orderId }, THRESHOLD); // 5
    expect(await stockStatus(product.id)).to.equal('low_stock');
    await commitReservation(db.orm.em.fork(), { orderId: first.orderId }); // 5 on hand, 5 available
    expect(await stockStatus(product.id)).to.equal('low_stock');
    await restock(
      db.orm.em.fork(),
      { restockId: newId(), lines: [{ variantId, quantity: 1 }], reason: 'return received' },
      THRESHOLD,
    ); // 6
    expect(await stockStatus(product.id)).to.equal('in_stock');
    await adjust(variantId, -6); // 0
    expect(await stockStatus(product.id)).to.equal('out_of_stock');
    await adjust(variantId, 2, 'east'); // a new location: 2
    expect(await stockStatus(product.id)).to.equal('low_stock');
    await adjust(variantId, 10); // 12
    expect(await stockStatus(product.id)).to.equal('in_stock');
  });

  it('counts only active variants: deactivating or adding one through UpdateProduct sets it again', async () => {
    const product = await newProduct([0, 8]);
    const [empty, stocked] = product.variants.map((variant) => variant.id);
    expect(await stockStatus(product.id)).to.equal('in_stock');
    const update = (variants: Parameters<typeof UpdateProductRequest.fromPartial>[0]['variants']) =>
      updateProduct(
        db.orm.em.fork(),
        UpdateProductRequest.fromPartial({ productId: product.id, variants }),
        THRESHOLD,
      );
    await update([{ id: stocked!, active: false }]);
    expect(await stockStatus(product.id), 'its 8 units cannot be bought').to.equal('out_of_stock');
    await update([{ sku: `SS-${random()}`, name: 'New', initialStock: 3 }]);
    expect(await stockStatus(product.id)).to.equal('low_stock');
    await update([{ id: stocked!, active: true }]);
    expect(await stockStatus(product.id)).to.equal('in_stock');
    await update([{ id: empty!, name: 'Renamed' }]);
    expect(await stockStatus(product.id), 'an edit that moves no stock').to.equal('in_stock');
  });

  it('is what ListProducts filters on for in_stock; a backorder product is left alone and looked up', async () => {
    const tag = `ss-${random().toLowerCase()}`;
    const inStock = async () =>
      (
        await listProducts(
          db.orm.em.fork(),
          requireListing(ListProductsRequest.fromPartial({ tag, inStock: true })),
        )
      ).products
        .map((product) => product.sku)
        .sort();
    const some = await newProduct([1], { tag });
    const none = await newProduct([0], { tag });
    const backordered = await newProduct([0], { tag });
    await db.orm.em
      .fork()
      .execute(`UPDATE products SET stock_status = 'backorder' WHERE id = ?`, [backordered.id]);
    expect(await inStock()).to.deep.equal([some.sku]);

    await reserve(some.variants[0]!.id, 1);
    await adjust(none.variants[0]!.id, 4);
    await adjust(backordered.variants[0]!.id, 4);
    expect(await inStock()).to.deep.equal([none.sku, backordered.sku].sort());
    expect(await stockStatus(backordered.id), 'nothing in the service sets or clears it').to.equal(
      'backorder',
    );
  });

  it('stays right under concurrent reservations, restocks and variant edits of one product', async () => {
    // Embedded PGlite runs transactions one at a time; against PostgreSQL (DATABASE_URL) they
    // overlap, and two writers of one product's stock must neither deadlock nor miss each other.
    const product = await newProduct([10, 10]);
    const [a, b] = product.variants.map((variant) => variant.id);
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) calls.push(reserve(i % 2 === 0 ? a! : b!, 1));
    for (let i = 0; i < 3; i++) {
      calls.push(
        restock(
          db.orm.em.fork(),
          {
            restockId: newId(),
            lines: [{ variantId: i % 2 === 0 ? b! : a!, quantity: 1 }],
            reason: 'return',
          },
          THRESHOLD,
        ),
        updateProduct(
          db.orm.em.fork(),
          UpdateProductRequest.fromPartial({
            productId: product.id,
            variants: [{ id: a!, lowStockThreshold: i }],
          }),
          THRESHOLD,
        ),
      );
    }
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).to.deep.equal([]);
    // 20 + 3 - 20 = 3 available.
    expect(await stockStatus(product.id)).to.equal('low_stock');
  });

  it('is brought in line at start: rows from before, or a threshold changed since; backorder left alone', async () => {
    const plenty = await newProduct([10]);
    const empty = await newProduct([0]);
    const backordered = await newProduct([0]);
    // (An earlier test made a product under threshold 20: level the catalog first.)
    await reconcileStockStatus(db.orm, THRESHOLD);
    await db.orm.em.fork().execute(
      `UPDATE products SET stock_status = CASE id WHEN ? THEN 'out_of_stock' WHEN ? THEN 'in_stock' ELSE 'backorder' END
        WHERE id IN (?, ?, ?)`,
      [plenty.id, empty.id, plenty.id, empty.id, backordered.id],
    );
    // A small page size, so that paging over the catalog is exercised too.
    expect(await reconcileStockStatus(db.orm, THRESHOLD, { pageSize: 2 })).to.equal(2);
    expect(await stockStatus(plenty.id)).to.equal('in_stock');
    expect(await stockStatus(empty.id)).to.equal('out_of_stock');
    expect(await stockStatus(backordered.id)).to.equal('backorder');
    expect(await reconcileStockStatus(db.orm, THRESHOLD), 'nothing left to change').to.equal(0);

    // The service restarted with PRODUCT_LOW_STOCK_THRESHOLD=10: 10 units are low stock now.
    expect(await reconcileStockStatus(db.orm, 10)).to.be.at.least(1);
    expect(await stockStatus(plenty.id)).to.equal('low_stock');
  });
});
