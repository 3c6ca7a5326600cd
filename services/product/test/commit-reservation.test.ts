import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  CreateProductRequest,
  ReservationState,
  StockStatus,
  type Product,
  type Reservation,
  UpdateProductRequest,
} from '../../../gen/ecommerce/product/v1/product.js';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { failureOf } from '../../../test/support/clients.js';
import { startCatalogWorld, type CatalogWorld } from '../../../test/catalog-fixtures.js';
import { productDatabase } from '../src/database.js';
import { createProduct } from '../src/domain/create-product.js';
import { updateProduct } from '../src/domain/update-product.js';
import { adjustStock } from '../src/domain/inventory/adjust-stock.js';
import { commitReservation, reserveStock } from '../src/domain/inventory/reservations.js';
import { statementsSent } from '../../../lib/testing/statements-sent.js';

/** The service's PRODUCT_LOW_STOCK_THRESHOLD (its default) and the stock rows' own. */
const THRESHOLD = 5;

/**
 * CommitReservation, the last stock step of every checkout: the units leave the warehouse (on hand
 * and reserved drop by them, what is available stays), once per order, whatever repeats or races it.
 */
describe('inventory: CommitReservation', function () {
  this.timeout(180_000);
  let world: CatalogWorld;
  let internal: { token: string };
  let editor: { token: string };

  before(async () => {
    world = await startCatalogWorld();
    internal = { token: world.serviceToken };
    editor = { token: world.adminToken };
  });
  after(async () => {
    await world?.stop();
  });

  const levels = async (variantId: string) =>
    (await world.api.product.getStock({ variantId }, internal)).levels.map(
      ({ location, quantity, reservedQuantity, availableQuantity }) => ({
        location,
        quantity,
        reservedQuantity,
        availableQuantity,
      }),
    );
  /** What a storefront shows of the product: its stock status and each variant's available units. */
  const shown = async (productId: string) => {
    // An editor reads past the cache: the database as it is.
    const { product } = await world.api.product.getProduct(
      { lookup: { $case: 'id', value: productId } },
      editor,
    );
    return {
      stockStatus: product!.stockStatus,
      available: product!.variants.map((variant) => variant.availableQuantity),
    };
  };
  const reserve = async (orderId: string, lines: { variantId: string; quantity: number }[]) =>
    (await world.api.product.reserveStock({ orderId, lines }, internal)).reservation!;
  const commit = async (orderId: string) =>
    (await world.api.product.commitReservation({ orderId }, internal)).reservation!;
  const release = (orderId: string) => world.api.product.releaseReservation({ orderId }, internal);

  it('lowers on hand and reserved by the units, at every location, and leaves available and the stock status as they were', async () => {
    // 8 on hand at two locations, 7 of them reserved: 1 available, low stock (a status computed
    // from on-hand units would call the 8 in stock before the commit and 4 low stock after it).
    const product = await world.createProduct({ stock: 1 });
    const variantId = product.variants[0]!.id;
    await world.api.product.adjustStock(
      { variantId, location: 'default', delta: 5, reason: 'delivery', idempotencyKey: newId() },
      editor,
    );
    await world.api.product.adjustStock(
      { variantId, location: 'east', delta: 2, reason: 'delivery', idempotencyKey: newId() },
      editor,
    );
    const orderId = newId();
    const reserved = await reserve(orderId, [{ variantId, quantity: 4 }]);
    expect(reserved.units).to.deep.equal([{ variantId, location: 'default', quantity: 4 }]);
    const spread = await reserve(newId(), [{ variantId, quantity: 3 }]);
    expect(spread.units).to.deep.equal([
      { variantId, location: 'default', quantity: 2 },
      { variantId, location: 'east', quantity: 1 },
    ]);
    const before = await shown(product.id);
    expect(before).to.deep.equal({ stockStatus: StockStatus.STOCK_STATUS_LOW_STOCK, available: [1] });

    const committed = await commit(orderId);
    expect(committed).to.deep.equal({ ...reserved, state: ReservationState.RESERVATION_STATE_COMMITTED });
    expect(await levels(variantId)).to.deep.equal([
      { location: 'default', quantity: 2, reservedQuantity: 2, availableQuantity: 0 },
      { location: 'east', quantity: 2, reservedQuantity: 1, availableQuantity: 1 },
    ]);
    expect(await shown(product.id)).to.deep.equal(before);

    // Units at two locations leave both; nothing is available afterwards, as before.
    expect((await commit(spread.orderId)).state).to.equal(ReservationState.RESERVATION_STATE_COMMITTED);
    expect(await levels(variantId)).to.deep.equal([
      { location: 'default', quantity: 0, reservedQuantity: 0, availableQuantity: 0 },
      { location: 'east', quantity: 1, reservedQuantity: 0, availableQuantity: 1 },
    ]);
    expect(await shown(product.id)).to.deep.equal(before);
  });

  it('leaves an out-of-stock product out of stock and an in-stock one in stock, over several products', async () => {
    const gone = await world.createProduct({ stock: 3 });
    const plenty = await world.createProduct({ stock: 20 });
    const orderId = newId();
    const lines = [
      { variantId: gone.variants[0]!.id, quantity: 3 },
      { variantId: plenty.variants[0]!.id, quantity: 10 },
    ];
    await reserve(orderId, lines);
    const before = [await shown(gone.id), await shown(plenty.id)];
    expect(before.map((view) => view.stockStatus)).to.deep.equal([
      StockStatus.STOCK_STATUS_OUT_OF_STOCK,
      StockStatus.STOCK_STATUS_IN_STOCK,
    ]);
    await commit(orderId);
    expect([await shown(gone.id), await shown(plenty.id)]).to.deep.equal(before);
    expect(await levels(gone.variants[0]!.id)).to.deep.equal([
      { location: 'default', quantity: 0, reservedQuantity: 0, availableQuantity: 0 },
    ]);
    expect(await levels(plenty.variants[0]!.id)).to.deep.equal([
      { location: 'default', quantity: 10, reservedQuantity: 0, availableQuantity: 10 },
    ]);
  });

  it('a repeat answers the committed reservation and changes nothing', async () => {
    const product = await world.createProduct({ stock: 10 });
    const variantId = product.variants[0]!.id;
    const orderId = newId();
    await reserve(orderId, [{ variantId, quantity: 3 }]);
    const first = await commit(orderId);
    const after = await levels(variantId);
    expect(after).to.deep.equal([
      { location: 'default', quantity: 7, reservedQuantity: 0, availableQuantity: 7 },
    ]);
    expect(await commit(orderId)).to.deep.equal(first);
    expect(await levels(variantId)).to.deep.equal(after);
    // ReserveStock repeated for the order answers it committed, reserving nothing.
    expect(await reserve(orderId, [{ variantId, quantity: 3 }])).to.deep.equal(first);
    expect(await levels(variantId)).to.deep.equal(after);
  });

  it('20 commits of one order at once: one changes the stock, all answer the committed reservation', async () => {
    const product = await world.createProduct({
      variants: [
        { name: 'S', initialStock: 10 },
        { name: 'M', initialStock: 10 },
      ],
    });
    const [small, medium] = product.variants.map((variant) => variant.id);
    const orderId = newId();
    const reserved = await reserve(orderId, [
      { variantId: small!, quantity: 2 },
      { variantId: medium!, quantity: 5 },
    ]);
    const answers = await Promise.all(Array.from({ length: 20 }, () => commit(orderId)));
    for (const answer of answers) {
      expect(answer).to.deep.equal({ ...reserved, state: ReservationState.RESERVATION_STATE_COMMITTED });
    }
    expect(await levels(small!)).to.deep.equal([
      { location: 'default', quantity: 8, reservedQuantity: 0, availableQuantity: 8 },
    ]);
    expect(await levels(medium!)).to.deep.equal([
      { location: 'default', quantity: 5, reservedQuantity: 0, availableQuantity: 5 },
    ]);
  });

  it('a released reservation is refused, FAILED_PRECONDITION RESERVATION_RELEASED, changing nothing', async () => {
    const product = await world.createProduct({ stock: 5 });
    const variantId = product.variants[0]!.id;
    const orderId = newId();
    await reserve(orderId, [{ variantId, quantity: 2 }]);
    expect((await release(orderId)).releasedNow).to.equal(true);
    const before = await levels(variantId);
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await failureOf(commit(orderId));
      expect(refused.code).to.equal(status.FAILED_PRECONDITION);
      expect(refused.details).to.equal(`order ${orderId}'s reservation was released`);
      expect(refused.errorInfo).to.deep.include({
        reason: 'RESERVATION_RELEASED',
        metadata: { order_id: orderId },
      });
    }
    expect(await levels(variantId)).to.deep.equal(before);
    expect(before).to.deep.equal([
      { location: 'default', quantity: 5, reservedQuantity: 0, availableQuantity: 5 },
    ]);
    expect((await release(orderId)).reservation!.state).to.equal(ReservationState.RESERVATION_STATE_RELEASED);
  });

  it('an order without a reservation is NOT_FOUND: unknown, or only released (its tombstone); a malformed id INVALID_ARGUMENT', async () => {
    const product = await world.createProduct({ stock: 5 });
    const variantId = product.variants[0]!.id;
    const unknown = newId();
    const missing = await failureOf(commit(unknown));
    expect(missing.code).to.equal(status.NOT_FOUND);
    expect(missing.details).to.contain(unknown);

    const tombstoned = newId();
    await release(tombstoned);
    expect((await failureOf(commit(tombstoned))).code).to.equal(status.NOT_FOUND);
    // The tombstone is left as it was: a late ReserveStock still reserves nothing.
    expect((await reserve(tombstoned, [{ variantId, quantity: 1 }])).state).to.equal(
      ReservationState.RESERVATION_STATE_RELEASED,
    );

    const malformed = await failureOf(commit('not-a-uuid'));
    expect(malformed.code).to.equal(status.INVALID_ARGUMENT);
    expect(malformed.violations.map((violation) => violation.field)).to.deep.equal(['order_id']);
    expect(await levels(variantId)).to.deep.equal([
      { location: 'default', quantity: 5, reservedQuantity: 0, availableQuantity: 5 },
    ]);
  });

  it('commits, releases, reservations and threshold edits of the same variants at once: none fails, the units add up', async () => {
    // On PostgreSQL (DATABASE_URL) these overlap: commits lock no product, the others do, and none
    // may deadlock (that would answer ABORTED) or lose a unit. Embedded PGlite runs them in turn.
    const first = await world.createProduct({
      variants: [
        { name: 'A', initialStock: 4 },
        { name: 'B', initialStock: 60 },
      ],
    });
    const second = await world.createProduct({ stock: 60 });
    const [a, b] = first.variants.map((variant) => variant.id);
    const c = second.variants[0]!.id;
    // A's units are at two locations, so orders hold rows at both.
    await world.api.product.adjustStock(
      { variantId: a!, location: 'east', delta: 56, reason: 'delivery', idempotencyKey: newId() },
      editor,
    );
    const initial = new Map([
      [a!, 60],
      [b!, 60],
      [c, 60],
    ]);
    const linesOf = (i: number) =>
      [
        { variantId: a!, quantity: 1 + (i % 2) },
        { variantId: b!, quantity: 1 },
        { variantId: c, quantity: 1 + (i % 3) },
      ].filter((_, k) => (i + k) % 4 !== 0);

    const held: Reservation[] = [];
    for (let i = 0; i < 16; i++) held.push(await reserve(newId(), linesOf(i)));
    const final = new Map<string, Reservation>();
    const calls: Promise<unknown>[] = [];
    held.forEach((reservation, i) => {
      calls.push(
        (i % 4 === 3
          ? release(reservation.orderId).then((answer) => answer.reservation!)
          : commit(reservation.orderId)
        ).then((answer) => final.set(answer.orderId, answer)),
      );
    });
    for (let i = 0; i < 16; i++) {
      const orderId = newId();
      calls.push(
        reserve(orderId, linesOf(i + 1)).then(async (reservation) => {
          final.set(orderId, reservation);
          if (i % 3 === 0) return;
          final.set(orderId, i % 3 === 1 ? await commit(orderId) : (await release(orderId)).reservation!);
        }),
      );
    }
    // The variants listed against the lock order, and a threshold at every location of each.
    for (let i = 0; i < 3; i++) {
      calls.push(
        world.api.product.updateProduct(
          UpdateProductRequest.fromPartial({
            productId: first.id,
            variants: [a!, b!]
              .sort()
              .reverse()
              .map((id) => ({ id, lowStockThreshold: 3 + i })),
          }),
          editor,
        ),
      );
    }
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).to.deep.equal([]);

    const shipped = new Map<string, number>();
    const reserved = new Map<string, number>();
    for (const reservation of final.values()) {
      const into =
        reservation.state === ReservationState.RESERVATION_STATE_COMMITTED
          ? shipped
          : reservation.state === ReservationState.RESERVATION_STATE_RESERVED
            ? reserved
            : undefined;
      for (const unit of into ? reservation.units : []) {
        into!.set(unit.variantId, (into!.get(unit.variantId) ?? 0) + unit.quantity);
      }
    }
    expect(shipped.size).to.equal(3);
    for (const [variantId, units] of initial) {
      const rows = await levels(variantId);
      const sum = (pick: (row: (typeof rows)[number]) => number) =>
        rows.reduce((total, row) => total + pick(row), 0);
      for (const row of rows) {
        expect(row.reservedQuantity, `${variantId} at ${row.location}`).to.be.at.most(row.quantity);
        expect(row.availableQuantity).to.equal(row.quantity - row.reservedQuantity);
      }
      expect(
        sum((row) => row.quantity),
        `on hand of ${variantId}`,
      ).to.equal(units - (shipped.get(variantId) ?? 0));
      expect(
        sum((row) => row.reservedQuantity),
        `reserved of ${variantId}`,
      ).to.equal(reserved.get(variantId) ?? 0);
    }
    const statusOf = (available: number) =>
      available <= 0
        ? StockStatus.STOCK_STATUS_OUT_OF_STOCK
        : available <= THRESHOLD
          ? StockStatus.STOCK_STATUS_LOW_STOCK
          : StockStatus.STOCK_STATUS_IN_STOCK;
    for (const product of [first, second] as Product[]) {
      const view = await shown(product.id);
      expect(view.stockStatus).to.equal(statusOf(view.available.reduce((total, units) => total + units, 0)));
    }
  });
});

/**
 * The checkout's hot path: the usual commit is one statement, and takes no product
 * lock (on a scratch database, to see its statements and race it closely).
 */
describe('inventory: the statements and locks of a commit', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openScratchDatabase('product_commit_statements', productDatabase);
  });
  after(async () => {
    await db?.drop();
  });

  /** The statements `work` sends to the database (BEGIN and COMMIT included), as it runs. */
  const statementsOf = async (work: () => Promise<unknown>) =>
    (await statementsSent(db.orm, work)).statements;

  /** A product of one variant per stock in `stocks` (its initial units), on this database. */
  function productWith(prefix: string, name: string, stocks: number[]) {
    const sku = `${prefix}-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
    return createProduct(
      db.orm.em.fork(),
      CreateProductRequest.fromPartial({
        sku,
        name,
        slug: sku.toLowerCase(),
        price: { currencyCode: 'EUR', amountMinor: 100 },
        variants: stocks.map((initialStock, k) => ({ sku: `${sku}-${k}`, name: `V${k}`, initialStock })),
      }),
      THRESHOLD,
    );
  }

  it('commits a reservation in one statement, and answers a repeat in a transaction after it', async () => {
    const product = await productWith('CS', 'Counted', [10, 10]);
    const orderId = newId();
    await reserveStock(
      db.orm.em.fork(),
      { orderId, lines: product.variants.map((variant) => ({ variantId: variant.id, quantity: 2 })) },
      THRESHOLD,
    );
    const usual = await statementsOf(() => commitReservation(db.orm.em.fork(), { orderId }));
    expect(usual).to.deep.equal(['WITH entry']);
    const stock = () =>
      db.orm.em
        .fork()
        .execute<{ quantity: number; reserved_quantity: number }[]>(
          'SELECT quantity, reserved_quantity FROM inventory WHERE product_id = ? ORDER BY variant_id',
          [product.id],
        );
    expect(await stock()).to.deep.equal([
      { quantity: 8, reserved_quantity: 0 },
      { quantity: 8, reserved_quantity: 0 },
    ]);
    const repeat = await statementsOf(() => commitReservation(db.orm.em.fork(), { orderId }));
    // The one statement changes nothing for a committed reservation; the transaction answers it.
    expect(repeat).to.deep.equal(['WITH entry', 'BEGIN;', 'WITH entry', 'COMMIT;']);
    expect(await stock()).to.deep.equal([
      { quantity: 8, reserved_quantity: 0 },
      { quantity: 8, reserved_quantity: 0 },
    ]);
  });

  it('reserves in one statement what it would in the transaction: the first location in name order, the entry, the units', async () => {
    const product = await productWith('RA', 'At once', [10, 10]);
    const [first, second] = product.variants.map((variant) => variant.id);
    await adjustStock(
      db.orm.em.fork(),
      { variantId: first!, location: 'east', delta: 10, reason: 'delivery', idempotencyKey: newId() },
      'test',
      THRESHOLD,
    );
    const orderId = newId();
    const lines = [
      { variantId: second!, quantity: 1 },
      { variantId: first!, quantity: 3 },
    ];
    const sent = await statementsOf(() => reserveStock(db.orm.em.fork(), { orderId, lines }, THRESHOLD));
    expect(sent.filter((statement) => statement !== 'SELECT v.id')).to.deep.equal(['WITH lines']);
    const [row] = await db.orm.em
      .fork()
      .execute<{ response: Buffer | Uint8Array }[]>(
        "SELECT response FROM infra.idempotency_keys WHERE scope = 'reserve-stock' AND key = ?",
        [orderId],
      );
    const record = JSON.parse(Buffer.from(row!.response).toString('utf8')) as {
      state: string;
      units: { variantId: string; location: string; quantity: number }[];
    };
    expect(record.state).to.equal('reserved');
    // Units spread over locations empty the first, which then falls to its low-stock threshold: the
    // transaction's case (it announces it). A usual reservation takes from one.
    const expected = [
      { variantId: first!, location: 'default', quantity: 3 },
      { variantId: second!, location: 'default', quantity: 1 },
    ].sort((a, b) => (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0));
    expect(
      record.units.map(({ variantId, location, quantity }) => ({ variantId, location, quantity })),
    ).to.deep.equal(expected);
    const reserved = await db.orm.em
      .fork()
      .execute<{ variant_id: string; location: string; reserved_quantity: number }[]>(
        'SELECT variant_id, location, reserved_quantity FROM inventory WHERE product_id = ? AND reserved_quantity > 0',
        [product.id],
      );
    expect(
      reserved
        .map((r) => ({ variantId: r.variant_id, location: r.location, quantity: r.reserved_quantity }))
        .sort((a, b) => `${a.variantId}${a.location}`.localeCompare(`${b.variantId}${b.location}`)),
    ).to.deep.equal(
      expected.sort((a, b) => `${a.variantId}${a.location}`.localeCompare(`${b.variantId}${b.location}`)),
    );
    // The same order again is a repeat: the one statement writes nothing, the transaction answers it.
    const again = await statementsOf(() => reserveStock(db.orm.em.fork(), { orderId, lines }, THRESHOLD));
    expect(again).to.include('BEGIN;');
    const [stock] = await db.orm.em
      .fork()
      .execute<{ reserved: number }[]>(
        'SELECT sum(reserved_quantity)::int AS reserved FROM inventory WHERE product_id = ?',
        [product.id],
      );
    expect(stock!.reserved).to.equal(4);
  });

  it('reads the stock on arrival only while this process does not know it fits: not again after a reservation or a commit', async () => {
    const product = await productWith('CK', 'Known', [20]);
    const reserve = async (quantity: number) => {
      const orderId = newId();
      const sent = await statementsOf(() =>
        reserveStock(
          db.orm.em.fork(),
          { orderId, lines: [{ variantId: product.variants[0]!.id, quantity }] },
          THRESHOLD,
        ).catch((error: Error) => error),
      );
      // The read on arrival is the stock read; the reservation itself starts 'WITH lines' (one statement) or 'BEGIN;'.
      return { orderId, readFirst: sent[0] === 'SELECT v.id', sent };
    };
    const first = await reserve(4);
    expect(first.readFirst, 'unknown stock is read on arrival').to.equal(true);
    const second = await reserve(4);
    expect(second.readFirst, 'known to fit (16 of 20 left)').to.equal(false);
    expect(second.sent, 'the usual reservation is one statement').to.deep.equal(['WITH lines']);
    await commitReservation(db.orm.em.fork(), { orderId: first.orderId });
    expect((await reserve(12)).readFirst, 'a commit keeps what is known (12 left)').to.equal(false);
    expect((await reserve(1)).readFirst, 'none left: read on arrival (and refused)').to.equal(true);
  });

  it('commits and threshold edits of one product at once do not deadlock, the edits listing the variants against the lock order', async () => {
    // A commit locks no product, only its stock rows, in (variant, location) order; an edit of
    // thresholds locks the product and then the variants' rows, in that order too whatever order the
    // request lists them in. Rows taken in the request's order deadlock here on PostgreSQL (most
    // rounds; embedded PGlite runs the transactions in turn).
    const product = await productWith('CD', 'Edited', [1, 1]);
    const variantIds = product.variants.map((variant) => variant.id).sort();
    for (const variantId of variantIds) {
      await adjustStock(
        db.orm.em.fork(),
        { variantId, location: 'east', delta: 500, reason: 'delivery', idempotencyKey: newId() },
        'editor',
        THRESHOLD,
      );
    }
    for (let round = 0; round < 20; round++) {
      const orders: string[] = [];
      for (let k = 0; k < 6; k++) {
        const orderId = newId();
        await reserveStock(
          db.orm.em.fork(),
          { orderId, lines: variantIds.map((variantId) => ({ variantId, quantity: 2 })) },
          THRESHOLD,
        );
        orders.push(orderId);
      }
      const outcomes = await Promise.allSettled([
        ...orders.map((orderId) => commitReservation(db.orm.em.fork(), { orderId })),
        ...[[...variantIds].reverse(), [...variantIds].reverse()].map((listed) =>
          updateProduct(
            db.orm.em.fork(),
            UpdateProductRequest.fromPartial({
              productId: product.id,
              variants: listed.map((id) => ({ id, lowStockThreshold: round })),
            }),
            THRESHOLD,
          ),
        ),
      ]);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).to.deep.equal([]);
    }
    // 20 rounds of 6 orders of 2 units each: 240 units per variant, the first from 'default'.
    const rows = await db.orm.em
      .fork()
      .execute<{ quantity: number; reserved_quantity: number; low_stock_threshold: number }[]>(
        `SELECT quantity, reserved_quantity, low_stock_threshold FROM inventory
          WHERE product_id = ? ORDER BY variant_id, location`,
        [product.id],
      );
    expect(rows).to.deep.equal(
      variantIds.flatMap(() => [
        { quantity: 0, reserved_quantity: 0, low_stock_threshold: 19 },
        { quantity: 261, reserved_quantity: 0, low_stock_threshold: 19 },
      ]),
    );
  });
});
