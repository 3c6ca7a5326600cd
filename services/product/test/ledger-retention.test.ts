import { expect } from 'chai';
import { CreateProductRequest } from '../../../gen/ecommerce/product/v1/product.js';
import { OrderDelivered } from '../../../gen/ecommerce/order/v1/events.js';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { productDatabase } from '../src/database.js';
import { createProduct } from '../src/domain/create-product.js';
import { adjustStock } from '../src/domain/inventory/adjust-stock.js';
import { commitReservation, releaseReservation, reserveStock } from '../src/domain/inventory/reservations.js';
import { restock } from '../src/domain/inventory/restock.js';
import { recordDelivery } from '../src/domain/reviews/purchases.js';

/**
 * infra.idempotency_keys is purged by `expires_at`: retry keys go after 7 days, the state product
 * keeps there (reservations, purchases) only when no longer needed.
 */
describe('product ledger: what the purge of infra.idempotency_keys may take, and when', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let productId: string;
  let variantId: string;

  before(async () => {
    db = await openScratchDatabase('product_ledger_retention', productDatabase);
    const sku = `RET-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
    const product = await createProduct(
      db.orm.em.fork(),
      CreateProductRequest.fromPartial({
        sku,
        name: 'Kept',
        slug: sku.toLowerCase(),
        price: { currencyCode: 'EUR', amountMinor: 100 },
        variants: [{ sku: `${sku}-0`, name: 'V', initialStock: 20 }],
      }),
      5,
    );
    productId = product.id;
    variantId = product.variants[0]!.id;
  });
  after(async () => {
    await db?.drop();
  });

  /** Days from now until the entry may be purged; null: never. */
  async function expiryOf(scope: string, key: string): Promise<number | null> {
    const [row] = await db.orm.em.fork().execute<{ days: number | null }[]>(
      `SELECT round(extract(epoch FROM expires_at - now()) / 86400)::int AS days
           FROM infra.idempotency_keys WHERE scope = ? AND key = ?`,
      [scope, key],
    );
    expect(row, `${scope} ${key}`).to.not.equal(undefined);
    return row!.days;
  }

  it('keeps a held reservation and a purchase for good; a closed reservation 30 days; retry keys 7 days', async () => {
    const [held, released, committed, releasedFirst] = [newId(), newId(), newId(), newId()];
    for (const orderId of [held, released, committed]) {
      await reserveStock(db.orm.em.fork(), { orderId, lines: [{ variantId, quantity: 1 }] }, 5);
    }
    await releaseReservation(db.orm.em.fork(), { orderId: released }, 5);
    await commitReservation(db.orm.em.fork(), { orderId: committed });
    await releaseReservation(db.orm.em.fork(), { orderId: releasedFirst }, 5);
    const userId = newId();
    await db.orm.em
      .fork()
      .transactional((tx) =>
        recordDelivery(tx, OrderDelivered.fromPartial({ orderId: newId(), userId, items: [{ productId }] })),
      );
    const adjustmentKey = `adjust-${newId()}`;
    await adjustStock(
      db.orm.em.fork(),
      { variantId, location: '', delta: 1, reason: 'found one', idempotencyKey: adjustmentKey },
      newId(),
      5,
    );
    const restockId = newId();
    await restock(db.orm.em.fork(), { restockId, lines: [{ variantId, quantity: 1 }], reason: 'return' }, 5);

    expect({
      held: await expiryOf('reserve-stock', held),
      released: await expiryOf('reserve-stock', released),
      committed: await expiryOf('reserve-stock', committed),
      releasedFirst: await expiryOf('reserve-stock', releasedFirst),
      purchase: await expiryOf('purchase', `${userId}/${productId}`),
      adjustment: await expiryOf('adjust-stock', adjustmentKey),
      restock: await expiryOf('restock', restockId),
    }).to.deep.equal({
      held: null,
      released: 30,
      committed: 30,
      releasedFirst: 30,
      purchase: null,
      adjustment: 7,
      restock: 7,
    });
  });
});
