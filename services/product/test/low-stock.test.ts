import { expect } from 'chai';
import { CreateProductRequest } from '../../../gen/ecommerce/product/v1/product.js';
import { InventoryLowStock as LowStockEvent } from '../../../gen/ecommerce/product/v1/events.js';
import { decodeEnvelope } from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { productDatabase } from '../src/database.js';
import { createProduct } from '../src/domain/create-product.js';
import { adjustStock } from '../src/domain/inventory/adjust-stock.js';
import { releaseReservation, reserveStock } from '../src/domain/inventory/reservations.js';

describe('inventory: product.inventory.low_stock', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openScratchDatabase('product_low_stock', productDatabase);
  });
  after(async () => {
    await db?.drop();
  });

  async function lowStockEvents(variantId: string) {
    const rows = await db.orm.em
      .fork()
      .execute<{ envelope: Uint8Array }[]>(
        `SELECT envelope FROM infra.outbox WHERE subject = 'product.inventory.low_stock' ORDER BY created_at, id`,
      );
    return rows
      .map((row) => LowStockEvent.decode(decodeEnvelope(new Uint8Array(row.envelope)).payload))
      .filter((event) => event.variantId === variantId);
  }

  it('is published once per downward crossing of the threshold, by reservations and adjustments', async () => {
    const sku = `LS-${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
    const product = await createProduct(
      db.orm.em.fork(),
      CreateProductRequest.fromPartial({
        sku,
        name: 'Low',
        slug: sku.toLowerCase(),
        price: { currencyCode: 'EUR', amountMinor: 100 },
        variants: [{ sku: `${sku}-V`, name: 'V', initialStock: 10, lowStockThreshold: 3 }],
      }),
      5,
    );
    const variantId = product.variants[0]!.id;
    const reserve = (quantity: number) =>
      reserveStock(db.orm.em.fork(), { orderId: newId(), lines: [{ variantId, quantity }] }, 5);

    await reserve(6); // 10 → 4: above 3, nothing
    expect(await lowStockEvents(variantId)).to.deep.equal([]);
    const order = await reserve(2); // 4 → 2: crossed
    await reserve(1); // 2 → 1: already below, nothing new
    expect(await lowStockEvents(variantId)).to.deep.equal([
      LowStockEvent.fromPartial({
        productId: product.id,
        variantId,
        sku: `${sku}-V`,
        location: 'default',
        availableQuantity: 2,
        lowStockThreshold: 3,
      }),
    ]);
    await releaseReservation(db.orm.em.fork(), { orderId: order.orderId }, 5); // back to 3: not above
    await adjustStock(
      db.orm.em.fork(),
      { variantId, location: '', delta: 5, reason: 'delivery', idempotencyKey: newId() },
      'admin',
      5,
    ); // 8: above again
    await adjustStock(
      db.orm.em.fork(),
      { variantId, location: '', delta: -6, reason: 'damaged', idempotencyKey: newId() },
      'admin',
      5,
    ); // 2: crossed again
    expect((await lowStockEvents(variantId)).map((event) => event.availableQuantity)).to.deep.equal([2, 2]);
  });
});
