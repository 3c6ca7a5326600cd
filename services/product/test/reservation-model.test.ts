import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { InventoryLowStock as LowStockEvent } from '../../../gen/ecommerce/product/v1/events.js';
import { AppError, type FieldViolation } from '../../../lib/errors.js';
import { decodeEnvelope } from '../../../lib/events/index.js';
import { seededRandom } from '../../../lib/seeded-random.js';
import { statementsSent } from '../../../lib/testing/statements-sent.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { productDatabase } from '../src/database.js';
import type { StockStatus } from '../src/entities/product.js';
import {
  reserveStock,
  type HeldUnits,
  type ReservationRecord,
} from '../src/domain/inventory/reservations.js';

/** The service's PRODUCT_LOW_STOCK_THRESHOLD (its default). */
const THRESHOLD = 5;
/** Seeds 1..CASES, one layout and order each. */
const CASES = 150;
/** Lower-case names: their order is the same under every collation PostgreSQL may sort them by. */
const LOCATIONS = ['annex', 'default', 'east', 'north', 'west'];
const MAINTAINED: StockStatus[] = ['in_stock', 'low_stock', 'out_of_stock'];

/** A seed gives the same layout, order and ids in every run. */
class Random {
  readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }

  /** A UUID drawn from the seed: a seed's ids, and so the order the service sorts its variants in, repeat. */
  id(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

type ProductStatus = 'active' | 'draft' | 'archived';

/** One inventory row: a variant's stock at a location. */
interface Row {
  id: string;
  location: string;
  quantity: number;
  reserved: number;
  threshold: number;
}

interface Variant {
  id: string;
  sku: string;
  active: boolean;
  /** In location-name order. */
  rows: Row[];
}

interface Product {
  id: string;
  sku: string;
  status: ProductStatus;
  stockStatus: StockStatus;
  variants: Variant[];
}

interface Line {
  variantId: string;
  quantity: number;
}

interface Refusal {
  code: status;
  message: string;
  reason: string | undefined;
  metadata: Readonly<Record<string, string>> | undefined;
  violations: readonly FieldViolation[] | undefined;
}

/** A low-stock crossing, as its event tells it. */
type Crossing = LowStockEvent;

type Expected =
  | { kind: 'refused'; refusal: Refusal }
  | {
      kind: 'reserved';
      units: HeldUnits[];
      /** Units taken per inventory row id. */
      taken: Map<string, number>;
      crossings: Crossing[];
      /** The stock status of each product of the order after it. */
      stockStatus: Map<string, StockStatus>;
      statusChanged: boolean;
      /** What the one statement serves: no low-stock crossing and no status change (the order is new). */
      usual: boolean;
    };

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const availableAt = (row: Row) => row.quantity - row.reserved;
const availableOfVariant = (variant: Variant) =>
  variant.rows.reduce((sum, row) => sum + Math.max(0, availableAt(row)), 0);

function stockStatusFor(available: number): StockStatus {
  if (available <= 0) return 'out_of_stock';
  return available <= THRESHOLD ? 'low_stock' : 'in_stock';
}

/** Units available over the product's active variants, after `taken` (units per row id) left. */
function availableOfProduct(product: Product, taken: ReadonlyMap<string, number> = new Map()): number {
  return product.variants
    .filter((variant) => variant.active)
    .flatMap((variant) => variant.rows)
    .reduce((sum, row) => sum + Math.max(0, availableAt(row)) - (taken.get(row.id) ?? 0), 0);
}

function refusal(
  code: status,
  message: string,
  why?: { reason: string; variantIds: string[]; violations: FieldViolation[] },
): Expected {
  return {
    kind: 'refused',
    refusal: {
      code,
      message,
      reason: why?.reason,
      metadata: why && { variant_ids: why.variantIds.join(',') },
      violations: why?.violations,
    },
  };
}

/**
 * The rules of ReserveStock for a new order: an unknown variant is NOT_FOUND; a variant not for
 * sale (it or its product inactive) FAILED_PRECONDITION NOT_FOR_SALE; a line asking for more than
 * its variant has over all locations FAILED_PRECONDITION OUT_OF_STOCK; otherwise each line takes
 * its units from its variant's rows in location-name order, at most what a row has available.
 */
function model(products: readonly Product[], lines: readonly Line[]): Expected {
  const owners = new Map<string, { product: Product; variant: Variant }>();
  for (const product of products) {
    for (const variant of product.variants) owners.set(variant.id, { product, variant });
  }

  const unknown = lines.findIndex((line) => !owners.has(line.variantId));
  if (unknown >= 0) {
    return refusal(status.NOT_FOUND, `variant ${lines[unknown]!.variantId} (lines[${unknown}]) not found`);
  }

  const notForSale = lines.flatMap((line, index) => {
    const { product, variant } = owners.get(line.variantId)!;
    return product.status === 'active' && variant.active ? [] : [{ line, index }];
  });
  if (notForSale.length > 0) {
    return refusal(
      status.FAILED_PRECONDITION,
      `not for sale: ${notForSale.map(({ index }) => `lines[${index}].variant_id`).join(', ')}`,
      {
        reason: 'NOT_FOR_SALE',
        variantIds: notForSale.map(({ line }) => line.variantId),
        violations: notForSale.map(({ line, index }) => ({
          field: `lines[${index}].variant_id`,
          description: `variant ${line.variantId} is not for sale`,
        })),
      },
    );
  }

  const short = lines.flatMap((line, index) => {
    const available = availableOfVariant(owners.get(line.variantId)!.variant);
    if (available >= line.quantity) return [];
    return [
      {
        variantId: line.variantId,
        field: `lines[${index}].quantity`,
        description: `${line.quantity} requested, ${available} available (variant ${line.variantId})`,
      },
    ];
  });
  if (short.length > 0) {
    return refusal(
      status.FAILED_PRECONDITION,
      `not enough stock: ${short.map((v) => `${v.field}: ${v.description}`).join('; ')}`,
      {
        reason: 'OUT_OF_STOCK',
        variantIds: short.map((v) => v.variantId),
        violations: short.map(({ field, description }) => ({ field, description })),
      },
    );
  }

  // The record lists the units in (variant, location) order.
  const units: HeldUnits[] = [];
  const taken = new Map<string, number>();
  const crossings: Crossing[] = [];
  const inVariantOrder = [...lines].sort((a, b) => byId({ id: a.variantId }, { id: b.variantId }));
  for (const line of inVariantOrder) {
    const { product, variant } = owners.get(line.variantId)!;
    let wanted = line.quantity;
    for (const row of variant.rows) {
      const available = availableAt(row);
      const take = Math.min(wanted, Math.max(0, available));
      if (take === 0) continue;
      wanted -= take;
      taken.set(row.id, take);
      units.push({
        inventoryId: row.id,
        productId: product.id,
        variantId: variant.id,
        location: row.location,
        quantity: take,
      });
      if (available > row.threshold && available - take <= row.threshold) {
        crossings.push({
          productId: product.id,
          variantId: variant.id,
          sku: variant.sku,
          location: row.location,
          availableQuantity: available - take,
          lowStockThreshold: row.threshold,
        });
      }
    }
  }

  const stockStatus = new Map<string, StockStatus>();
  let statusChanged = false;
  for (const line of lines) {
    const { product } = owners.get(line.variantId)!;
    const after =
      product.stockStatus === 'backorder' ? 'backorder' : stockStatusFor(availableOfProduct(product, taken));
    if (after !== product.stockStatus) statusChanged = true;
    stockStatus.set(product.id, after);
  }
  return {
    kind: 'reserved',
    units,
    taken,
    crossings,
    stockStatus,
    statusChanged,
    usual: crossings.length === 0 && !statusChanged,
  };
}

/**
 * 1-3 products of 1-3 variants, each with stock at 1-3 locations. The CHECK on inventory keeps
 * reserved within 0..quantity, so a row has 0 available at worst (often here). A product's stored
 * status is mostly what its stock says, sometimes another (stale) or `backorder`.
 */
function layoutOf(random: Random, seed: number): Product[] {
  return Array.from({ length: random.int(1, 3) }, (_, p) => {
    const id = random.id();
    const status: ProductStatus = random.chance(0.92) ? 'active' : random.pick(['draft', 'archived']);
    const variants = Array.from({ length: random.int(1, 3) }, (_, v): Variant => {
      const variantId = random.id();
      const active = random.chance(0.92);
      const locations = random.shuffled(LOCATIONS).slice(0, random.int(1, 3)).sort();
      const rows = locations.map((location): Row => {
        const quantity = random.int(0, 25);
        const reserved = random.chance(0.2) ? quantity : random.int(0, quantity);
        const threshold = random.chance(0.5) ? 0 : random.int(1, 6);
        return { id: random.id(), location, quantity, reserved, threshold };
      });
      return { id: variantId, sku: `RM-${seed}-${p}-${v}`, active, rows };
    });
    const product: Product = { id, sku: `RM-${seed}-${p}`, status, stockStatus: 'in_stock', variants };
    const kind = random.next();
    product.stockStatus =
      kind < 0.1
        ? 'backorder'
        : kind < 0.25
          ? random.pick(MAINTAINED)
          : stockStatusFor(availableOfProduct(product));
    return product;
  });
}

/** 1-3 lines over distinct variants, some asking for more than there is, rarely for an unknown one. */
function orderOf(random: Random, products: readonly Product[]): Line[] {
  const variants = products.flatMap((product) => product.variants);
  const chosen = random.shuffled(variants).slice(0, random.int(1, Math.min(3, variants.length)));
  const lines = chosen.map((variant) => {
    const available = availableOfVariant(variant);
    const quantity = random.chance(0.15)
      ? available + random.int(1, 3)
      : random.int(1, Math.max(1, Math.min(available, 8)));
    return { variantId: variant.id, quantity };
  });
  if (random.chance(0.04)) lines[random.int(0, lines.length - 1)]!.variantId = random.id();
  return lines;
}

/** The rows and statuses of a layout as the database should hold them, after `taken` was reserved. */
function stateOf(
  products: readonly Product[],
  taken: ReadonlyMap<string, number> = new Map(),
  stockStatus: ReadonlyMap<string, StockStatus> = new Map(),
) {
  return {
    rows: products
      .flatMap((product) => product.variants.flatMap((variant) => variant.rows))
      .map((row) => ({
        id: row.id,
        quantity: row.quantity,
        reserved: row.reserved + (taken.get(row.id) ?? 0),
      }))
      .sort(byId),
    products: products
      .map((product) => ({ id: product.id, stockStatus: stockStatus.get(product.id) ?? product.stockStatus }))
      .sort(byId),
  };
}

function refusalOf(error: AppError): Refusal {
  return {
    code: error.code,
    message: error.message,
    reason: error.reason,
    metadata: error.metadata,
    violations: error.violations,
  };
}

/** `reserveStock`'s record, or the refusal it rejects with (anything else is a bug: rethrown). */
async function outcomeOf(call: Promise<ReservationRecord>) {
  try {
    return { record: await call };
  } catch (error) {
    if (error instanceof AppError) return { refusal: refusalOf(error) };
    throw error;
  }
}

/**
 * ReserveStock against a model of its rules, over random stock layouts and orders: the usual order
 * is served by one statement, the others (refusals, repeats, status changes, low-stock crossings)
 * by a transaction, and both must give what the model gives.
 *
 * The cases are drawn from numbered seeds rather than by fast-check: each writes rows to one
 * database, and the ids drawn decide the service's lock and record order, so a failing case must
 * come back exactly, ids included, from the number a message names, and never be re-drawn
 * (shrunk) onto ids that earlier cases already wrote.
 */
describe('inventory: ReserveStock against a model of its rules', function () {
  this.timeout(120_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openScratchDatabase('product_reservation_model', productDatabase);
  });
  after(async () => {
    await db?.drop();
  });

  async function insert(products: readonly Product[]): Promise<void> {
    const em = db.orm.em.fork();
    await em.execute(
      `INSERT INTO products (id, sku, name, slug, price, currency, status, stock_status)
       VALUES ${products.map(() => `(?, ?, 'Modelled', ?, 1, 'EUR', ?, ?)`).join(', ')}`,
      products.flatMap((product) => [
        product.id,
        product.sku,
        product.sku.toLowerCase(),
        product.status,
        product.stockStatus,
      ]),
    );
    const variants = products.flatMap((product) => product.variants.map((variant) => ({ product, variant })));
    await em.execute(
      `INSERT INTO product_variants (id, product_id, sku, name, currency, is_active)
       VALUES ${variants.map(() => `(?, ?, ?, 'V', 'EUR', ?)`).join(', ')}`,
      variants.flatMap(({ product, variant }) => [variant.id, product.id, variant.sku, variant.active]),
    );
    const rows = variants.flatMap(({ product, variant }) =>
      variant.rows.map((row) => ({ product, variant, row })),
    );
    await em.execute(
      `INSERT INTO inventory (id, product_id, variant_id, location, quantity, reserved_quantity, low_stock_threshold)
       VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      rows.flatMap(({ product, variant, row }) => [
        row.id,
        product.id,
        variant.id,
        row.location,
        row.quantity,
        row.reserved,
        row.threshold,
      ]),
    );
  }

  /** The layout's rows and statuses as the database holds them. */
  async function stored(products: readonly Product[]) {
    const em = db.orm.em.fork();
    const ids = `{${products.map((product) => product.id).join(',')}}`;
    const rows = await em.execute<{ id: string; quantity: number; reserved_quantity: number }[]>(
      'SELECT id, quantity, reserved_quantity FROM inventory WHERE product_id = ANY(?::uuid[]) ORDER BY id',
      [ids],
    );
    const statuses = await em.execute<{ id: string; stock_status: StockStatus }[]>(
      'SELECT id, stock_status FROM products WHERE id = ANY(?::uuid[]) ORDER BY id',
      [ids],
    );
    return {
      rows: rows.map((row) => ({ id: row.id, quantity: row.quantity, reserved: row.reserved_quantity })),
      products: statuses.map((row) => ({ id: row.id, stockStatus: row.stock_status })),
    };
  }

  /** The product.inventory.low_stock events written since the last call (taken out of the outbox). */
  async function lowStockEvents(): Promise<Crossing[]> {
    const rows = await db.orm.em
      .fork()
      .execute<{ envelope: Uint8Array }[]>(
        `DELETE FROM infra.outbox WHERE subject = 'product.inventory.low_stock' RETURNING envelope`,
      );
    return rows.map((row) => {
      const event = LowStockEvent.decode(decodeEnvelope(new Uint8Array(row.envelope)).payload);
      return {
        productId: event.productId,
        variantId: event.variantId,
        sku: event.sku,
        location: event.location,
        availableQuantity: event.availableQuantity,
        lowStockThreshold: event.lowStockThreshold,
      };
    });
  }
  const inRowOrder = (crossings: Crossing[]) =>
    [...crossings].sort((a, b) => (`${a.variantId}/${a.location}` < `${b.variantId}/${b.location}` ? -1 : 1));

  /**
   * `reserveStock`, and which way it went by the statements it sent: 'WITH lines' without 'BEGIN;'
   * is the one statement, 'BEGIN;' the transaction, neither a refusal on the read on arrival.
   */
  async function reserveWatched(orderId: string, lines: readonly Line[]) {
    const { statements, answer: outcome } = await statementsSent(db.orm, () =>
      outcomeOf(reserveStock(db.orm.em.fork(), { orderId, lines }, THRESHOLD)),
    );
    const path = statements.includes('BEGIN;')
      ? 'transaction'
      : statements.includes('WITH lines')
        ? 'at once'
        : 'read';
    return { outcome, path };
  }

  const reserve = (orderId: string, lines: readonly Line[]) =>
    outcomeOf(reserveStock(db.orm.em.fork(), { orderId, lines }, THRESHOLD));

  it(`gives what the model gives over ${CASES} seeded layouts and orders, by the one statement and by the transaction`, async () => {
    const seen = {
      atOnce: 0,
      transaction: 0,
      notFound: 0,
      notForSale: 0,
      outOfStock: 0,
      crossings: 0,
      statusChanges: 0,
    };
    for (let seed = 1; seed <= CASES; seed++) {
      const random = new Random(seed);
      const products = layoutOf(random, seed);
      const lines = orderOf(random, products);
      const orderId = random.id();
      const expected = model(products, lines);
      const where = (what: string) => `seed ${seed}: ${what}`;
      try {
        await insert(products);
        const before = stateOf(products);
        expect(await stored(products), where('the layout as inserted')).to.deep.equal(before);

        const { outcome, path } = await reserveWatched(orderId, lines);
        if (expected.kind === 'refused') {
          expect(outcome, where('the refusal')).to.deep.equal({ refusal: expected.refusal });
          expect(await stored(products), where('nothing changed by the refusal')).to.deep.equal(before);
          // Nothing was recorded either: the same order again is judged again, alike.
          expect(await reserve(orderId, lines), where('the refusal repeated')).to.deep.equal(outcome);
          expect(await stored(products), where('nothing changed by the repeat')).to.deep.equal(before);
          expect(await lowStockEvents(), where('low-stock events')).to.deep.equal([]);
          if (expected.refusal.code === status.NOT_FOUND) seen.notFound++;
          else if (expected.refusal.reason === 'NOT_FOR_SALE') seen.notForSale++;
          else seen.outOfStock++;
          continue;
        }

        const record: ReservationRecord = { orderId, state: 'reserved', units: expected.units };
        expect(outcome, where('the reservation')).to.deep.equal({ record });
        expect(path, where('the way it went (at once: the usual case)')).to.equal(
          expected.usual ? 'at once' : 'transaction',
        );
        const after = stateOf(products, expected.taken, expected.stockStatus);
        expect(await stored(products), where('rows and statuses after the reservation')).to.deep.equal(after);

        // A repeat answers the record, whatever order it lists the lines in; other lines are refused.
        expect(await reserve(orderId, [...lines].reverse()), where('the repeat')).to.deep.equal({ record });
        const other = lines.map((line, index) =>
          index === 0 ? { ...line, quantity: line.quantity + 1 } : line,
        );
        expect(await reserve(orderId, other), where('the order id with other lines')).to.deep.equal({
          refusal: {
            code: status.FAILED_PRECONDITION,
            message: `order ${orderId} already holds a reservation of other lines`,
            reason: 'IDEMPOTENCY_KEY_REUSED',
            metadata: { order_id: orderId },
            violations: undefined,
          },
        });
        expect(await stored(products), where('nothing changed by the repeats')).to.deep.equal(after);
        expect(inRowOrder(await lowStockEvents()), where('low-stock events')).to.deep.equal(
          inRowOrder(expected.crossings),
        );

        if (path === 'at once') seen.atOnce++;
        else seen.transaction++;
        if (expected.crossings.length > 0) seen.crossings++;
        if (expected.statusChanged) seen.statusChanges++;
      } catch (error) {
        if (error instanceof Error && !error.message.startsWith(`seed ${seed}:`)) {
          error.message = `seed ${seed}: ${error.message}`;
        }
        throw error;
      }
    }
    // Every way is taken by some seed, or this would test less than it says.
    for (const [way, count] of Object.entries(seen)) {
      expect(count, `${way} over ${CASES} seeds (${JSON.stringify(seen)})`).to.be.greaterThan(0);
    }
  });
});
