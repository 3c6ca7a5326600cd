import { status } from '@grpc/grpc-js';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { expect } from 'chai';
import { CreateProductRequest } from '../../../gen/ecommerce/product/v1/product.js';
import { newId } from '../../../lib/ids.js';
import type { AppError } from '../../../lib/errors.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { productDatabase } from '../src/database.js';
import { createProduct } from '../src/domain/create-product.js';
import { changeProductStatus } from '../src/domain/product-status.js';
import { BatchedRead } from '../src/domain/inventory/batched-read.js';
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

  /**
   * An EntityManager that counts the transactions opened through it and the reads of stock it runs
   * outside a transaction (what the arrival check runs; a transaction's statements go through its
   * own fork), and still runs them.
   */
  function counting(): { em: EntityManager; transactions: () => number; stockReads: () => number } {
    const em = db.orm.em.fork();
    let transactions = 0;
    let stockReads = 0;
    const transactional = em.transactional.bind(em);
    em.transactional = ((work: never, options: never) => {
      transactions++;
      return transactional(work, options);
    }) as typeof em.transactional;
    // The reads are prepared statements (`executePrepared`), which go through this fork's knex.
    const getKnex = em.getKnex.bind(em);
    em.getKnex = (() =>
      new Proxy(getKnex(), {
        get(knex, property, receiver) {
          if (property !== 'raw') return Reflect.get(knex, property, receiver) as unknown;
          return (sql: string, bindings: Knex.RawBinding[] | Knex.ValueDict) => {
            // A read of the stock without a lock: the read on arrival (a reservation locks what it reads).
            if (/\binventory\b/.test(sql) && !/\bFOR (NO KEY )?UPDATE\b/.test(sql)) stockReads++;
            return knex.raw(sql, bindings);
          };
        },
      })) as typeof em.getKnex;
    return { em, transactions: () => transactions, stockReads: () => stockReads };
  }

  it('refuses on arrival an order that cannot be served, without a transaction, with the locked answer', async () => {
    const [scarce, plenty] = await variantsWith([3, 50]);
    const holder = newId();
    await reserveStock(
      db.orm.em.fork(),
      { orderId: holder, lines: [{ variantId: scarce!, quantity: 2 }] },
      5,
    );

    const counted = counting();
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
    expect(refused.reason).to.equal('OUT_OF_STOCK');
    expect(refused.metadata).to.deep.equal({ variant_ids: scarce });
    expect(refused.violations).to.deep.equal([
      { field: 'lines[1].quantity', description: `2 requested, 1 available (variant ${scarce})` },
    ]);
    expect(counted.transactions()).to.equal(0);

    // The pre-check decides nothing else: a repeat, and an order that fits, take the locked path.
    const repeat = counting();
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

  it('orders arriving together share one read; one that no longer fits at its turn is refused from what the one before it learned', async () => {
    const [scarce] = await variantsWith([3]);
    const line = (quantity: number) => [{ variantId: scarce!, quantity }];
    // Both fit on arrival (3 left); the first's reservation learns (1 left) after the second arrived.
    const early = counting();
    const late = counting();
    const [first, second] = await Promise.allSettled([
      reserveStock(early.em, { orderId: newId(), lines: line(2) }, 5),
      reserveStock(late.em, { orderId: newId(), lines: line(2) }, 5),
    ]);
    expect(first.status).to.equal('fulfilled');
    expect(second.status).to.equal('rejected');
    const refused = (second as PromiseRejectedResult).reason as AppError;
    expect(refused.code).to.equal(status.FAILED_PRECONDITION);
    expect(refused.reason).to.equal('OUT_OF_STOCK');
    expect(refused.metadata).to.deep.equal({ variant_ids: scarce });
    expect(refused.violations).to.deep.equal([
      { field: 'lines[0].quantity', description: `2 requested, 1 available (variant ${scarce})` },
    ]);
    expect(early.stockReads() + late.stockReads()).to.equal(1);
    expect(late.transactions()).to.equal(0);

    // An order arriving after that is refused by its own read on arrival, with the same answer.
    const after = counting();
    const again = await failureOf(reserveStock(after.em, { orderId: newId(), lines: line(2) }, 5));
    expect(again.violations).to.deep.equal(refused.violations);
    expect(again.metadata).to.deep.equal(refused.metadata);
    expect(after.stockReads()).to.equal(1);
  });

  it('40 orders arriving together read the stock once, and none that could be served is refused', async () => {
    const [variant] = await variantsWith([20]);
    const counted = Array.from({ length: 40 }, () => counting());
    // 1 or 2 units each: the first orders in line take the 20 units, whatever each asks.
    const quantities = counted.map((_, i) => 1 + (i % 2));
    const outcomes = await Promise.allSettled(
      counted.map(({ em }, i) =>
        reserveStock(em, { orderId: newId(), lines: [{ variantId: variant!, quantity: quantities[i]! }] }, 5),
      ),
    );
    expect(counted.reduce((sum, { stockReads }) => sum + stockReads(), 0)).to.equal(1);
    // First come, first served: each order is reserved exactly when what is left covers it.
    let left = 20;
    outcomes.forEach((outcome, i) => {
      const fits = quantities[i]! <= left;
      if (fits) left -= quantities[i]!;
      expect(outcome.status, `order ${i}`).to.equal(fits ? 'fulfilled' : 'rejected');
      if (outcome.status === 'rejected') {
        expect(outcome.reason.code).to.equal(status.FAILED_PRECONDITION);
        expect(outcome.reason.reason).to.equal('OUT_OF_STOCK');
      }
    });
    expect(left).to.equal(0);
  });

  for (const { stock, when } of [
    { stock: 3, when: 'on arrival (by the read)' },
    { stock: 4, when: 'at its turn (by what the order before it learned)' },
  ]) {
    it(`a repeat judged short ${when} still answers its recorded reservation`, async () => {
      const [scarce] = await variantsWith([stock]);
      const holder = newId();
      await reserveStock(
        db.orm.em.fork(),
        { orderId: holder, lines: [{ variantId: scarce!, quantity: 2 }] },
        5,
      );
      const [taker, repeat] = await Promise.all([
        reserveStock(
          db.orm.em.fork(),
          { orderId: newId(), lines: [{ variantId: scarce!, quantity: stock - 2 }] },
          5,
        ),
        reserveStock(db.orm.em.fork(), { orderId: holder, lines: [{ variantId: scarce!, quantity: 2 }] }, 5),
      ]);
      expect(taker.state).to.equal('reserved');
      expect(repeat.orderId).to.equal(holder);
      expect(repeat.units.map((unit) => unit.quantity)).to.deep.equal([2]);
      const [row] = await db.orm.em
        .fork()
        .execute<{ reserved_quantity: number }[]>(
          'SELECT reserved_quantity FROM inventory WHERE variant_id = ?',
          [scarce],
        );
      expect(row!.reserved_quantity).to.equal(stock);
    });
  }

  it('a variant taken off sale since this process knew it short is refused as not for sale, not as out of stock', async () => {
    const [scarce] = await variantsWith([2]);
    await reserveStock(
      db.orm.em.fork(),
      { orderId: newId(), lines: [{ variantId: scarce!, quantity: 2 }] },
      5,
    );
    const [variant] = await db.orm.em
      .fork()
      .execute<{ product_id: string }[]>('SELECT product_id FROM product_variants WHERE id = ?', [scarce]);
    await changeProductStatus(
      db.orm.em.fork(),
      { productId: variant!.product_id, changedBy: newId() },
      'archived',
    );

    const refused = await failureOf(
      reserveStock(db.orm.em.fork(), { orderId: newId(), lines: [{ variantId: scarce!, quantity: 1 }] }, 5),
    );
    expect(refused.code).to.equal(status.FAILED_PRECONDITION);
    expect(refused.reason).to.equal('NOT_FOR_SALE');
    expect(refused.metadata).to.deep.equal({ variant_ids: scarce });
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

describe('BatchedRead', () => {
  /** A stand-in EntityManager: BatchedRead only asks it which database it is on. */
  const database = (driver: object) => ({ getDriver: () => driver }) as unknown as EntityManager;
  const turns = async (count: number) => {
    for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
  };

  it('reads the keys asked in one turn together, and those asked meanwhile in the next read, one read at a time', async () => {
    const reads: string[][] = [];
    let running = 0;
    let mostAtOnce = 0;
    let finishFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (finishFirst = resolve));
    const batched = new BatchedRead(async (_em, keys: readonly string[]) => {
      reads.push([...keys]);
      mostAtOnce = Math.max(mostAtOnce, ++running);
      if (reads.length === 1) await firstHeld;
      running--;
      return new Set(keys);
    });
    const em = database({});
    const first = [batched.ask(em, ['a', 'b']), batched.ask(em, ['b', 'c'])];
    await turns(2);
    expect(reads).to.deep.equal([['a', 'b', 'c']]);
    const second = [batched.ask(em, ['d']), batched.ask(em, ['a'])];
    await turns(5);
    expect(reads).to.have.length(1); // the second batch waits for the first
    finishFirst();
    const answers = await Promise.all([...first, ...second]);
    expect(reads).to.deep.equal([
      ['a', 'b', 'c'],
      ['d', 'a'],
    ]);
    expect(answers.map((answer) => [...answer])).to.deep.equal([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['d', 'a'],
      ['d', 'a'],
    ]);
    expect(mostAtOnce).to.equal(1);
  });

  it('fails the askers of a read that failed, goes on with the next, and keeps databases apart', async () => {
    const reads: { driver: object; keys: string[] }[] = [];
    const batched = new BatchedRead(async (em, keys: readonly string[]) => {
      reads.push({ driver: em.getDriver(), keys: [...keys] });
      if (keys.includes('boom')) throw new Error('boom');
      return keys.length;
    });
    const one = {};
    const other = {};
    const failed = batched.ask(database(one), ['boom']);
    const elsewhere = batched.ask(database(other), ['x']);
    await failed.then(
      () => expect.fail('the read failed'),
      (error: Error) => expect(error.message).to.equal('boom'),
    );
    expect(await elsewhere).to.equal(1);
    expect(await batched.ask(database(one), ['y', 'z'])).to.equal(2);
    expect(reads).to.deep.equal([
      { driver: one, keys: ['boom'] },
      { driver: other, keys: ['x'] },
      { driver: one, keys: ['y', 'z'] },
    ]);
  });
});
