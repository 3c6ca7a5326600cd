import { status } from '@grpc/grpc-js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { expect } from 'chai';
import { CreateProductRequest } from '../../../gen/ecommerce/product/v1/product.js';
import { newId } from '../../../lib/ids.js';
import type { AppError } from '../../../lib/errors.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { productDatabase } from '../src/database.js';
import { createProduct } from '../src/domain/create-product.js';
import { releaseReservation, reserveStock } from '../src/domain/inventory/reservations.js';

/** Orders for scarce stock: refusals are answered from a read, not queued behind the row locks. */
describe('inventory: a rush of ReserveStock for scarce stock', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openScratchDatabase('product_reservation_rush', productDatabase);
  });
  after(async () => {
    await db?.drop();
  });

  async function variantsWith(stocks: number[]): Promise<string[]> {
    const sku = `RUSH-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
    const product = await createProduct(
      db.orm.em.fork(),
      CreateProductRequest.fromPartial({
        sku,
        name: 'Scarce',
        slug: sku.toLowerCase(),
        price: { currencyCode: 'EUR', amountMinor: 100 },
        variants: stocks.map((initialStock, i) => ({ sku: `${sku}-${i}`, name: `V${i}`, initialStock })),
      }),
      5,
    );
    return product.variants.map((variant) => variant.id);
  }

  /** An EntityManager that counts the transactions opened through it (and still runs them). */
  function countingTransactions(): { em: EntityManager; transactions: () => number } {
    const em = db.orm.em.fork();
    let transactions = 0;
    const transactional = em.transactional.bind(em);
    em.transactional = ((work: never, options: never) => {
      transactions++;
      return transactional(work, options);
    }) as typeof em.transactional;
    return { em, transactions: () => transactions };
  }

  it('refuses an order that cannot be served without a transaction, with the locked answer', async () => {
    const [scarce, plenty] = await variantsWith([3, 50]);
    const holder = newId();
    await reserveStock(
      db.orm.em.fork(),
      { orderId: holder, lines: [{ variantId: scarce!, quantity: 2 }] },
      5,
    );

    const counted = countingTransactions();
    const refused = await failureOf(
      reserveStock(
        counted.em,
        {
          orderId: newId(),
          lines: [
            { variantId: plenty!, quantity: 1 },
            { variantId: scarce!, quantity: 2 },
          ],
        },
        5,
      ),
    );
    expect(refused.code).to.equal(status.FAILED_PRECONDITION);
    expect(refused.violations).to.deep.equal([
      { field: 'lines[1].quantity', description: `2 requested, 1 available (variant ${scarce})` },
    ]);
    expect(counted.transactions()).to.equal(0);

    // The pre-check decides nothing else: a repeat, and an order that fits, take the locked path.
    const repeat = countingTransactions();
    const again = await reserveStock(
      repeat.em,
      { orderId: holder, lines: [{ variantId: scarce!, quantity: 2 }] },
      5,
    );
    expect(again.units.map((unit) => unit.quantity)).to.deep.equal([2]);
    expect(repeat.transactions()).to.equal(1);
    await releaseReservation(db.orm.em.fork(), { orderId: holder }, 5);
    const fits = await reserveStock(
      db.orm.em.fork(),
      { orderId: newId(), lines: [{ variantId: scarce!, quantity: 3 }] },
      5,
    );
    expect(fits.state).to.equal('reserved');
  });

  /** An EntityManager that counts its reads of stock (what the pre-check runs) and still runs them. */
  function countingStockReads(): { em: EntityManager; stockReads: () => number } {
    const em = db.orm.em.fork();
    let stockReads = 0;
    const execute = em.execute.bind(em);
    em.execute = ((sql: string, ...rest: never[]) => {
      if (/\binventory\b/.test(sql)) stockReads++;
      return execute(sql, ...rest);
    }) as typeof em.execute;
    return { em, stockReads: () => stockReads };
  }

  it('refuses from what a reservation before it learned, and reads when that is older than the order', async () => {
    const [scarce] = await variantsWith([3]);
    const line = (quantity: number) => [{ variantId: scarce!, quantity }];
    // Both arrive at once: the first's reservation learns (1 left) after the second arrived.
    const late = countingStockReads();
    const [first, second] = await Promise.allSettled([
      reserveStock(db.orm.em.fork(), { orderId: newId(), lines: line(2) }, 5),
      reserveStock(late.em, { orderId: newId(), lines: line(2) }, 5),
    ]);
    expect(first.status).to.equal('fulfilled');
    expect(second.status).to.equal('rejected');
    const refused = (second as PromiseRejectedResult).reason as AppError;
    expect(refused.code).to.equal(status.FAILED_PRECONDITION);
    expect(refused.violations).to.deep.equal([
      { field: 'lines[0].quantity', description: `2 requested, 1 available (variant ${scarce})` },
    ]);
    expect(late.stockReads()).to.equal(0);

    // An order arriving after that was learned is judged from a read.
    const after = countingStockReads();
    const again = await failureOf(reserveStock(after.em, { orderId: newId(), lines: line(2) }, 5));
    expect(again.violations).to.deep.equal(refused.violations);
    expect(after.stockReads()).to.equal(1);
  });

  it('a repeat judged short from what was learned still answers its recorded reservation', async () => {
    const [scarce] = await variantsWith([3]);
    const holder = newId();
    await reserveStock(
      db.orm.em.fork(),
      { orderId: holder, lines: [{ variantId: scarce!, quantity: 2 }] },
      5,
    );
    const [taker, repeat] = await Promise.all([
      reserveStock(db.orm.em.fork(), { orderId: newId(), lines: [{ variantId: scarce!, quantity: 1 }] }, 5),
      reserveStock(db.orm.em.fork(), { orderId: holder, lines: [{ variantId: scarce!, quantity: 2 }] }, 5),
    ]);
    expect(taker.state).to.equal('reserved');
    expect(repeat.orderId).to.equal(holder);
    expect(repeat.units.map((unit) => unit.quantity)).to.deep.equal([2]);
  });

  it('60 orders at once for 10 units: exactly 10 reserved, the rest refused cleanly', async () => {
    const [variant] = await variantsWith([10]);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, () =>
        reserveStock(
          db.orm.em.fork(),
          { orderId: newId(), lines: [{ variantId: variant!, quantity: 1 }] },
          5,
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(10);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason.code).to.equal(status.FAILED_PRECONDITION);
    }
    const [row] = await db.orm.em
      .fork()
      .execute<{ reserved_quantity: number }[]>(
        'SELECT reserved_quantity FROM inventory WHERE variant_id = ?',
        [variant],
      );
    expect(row!.reserved_quantity).to.equal(10);
  });
});
