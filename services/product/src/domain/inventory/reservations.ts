import { requireUuid } from '../../../../../lib/validation/index.js';
import { executePrepared } from '../../../../../lib/db/prepared-statement.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { failedPrecondition, notFound, type FieldViolation, AppError } from '../../../../../lib/errors.js';
import { status } from '@grpc/grpc-js';
import { CommonReason, ProductReason } from '../../../../../lib/error-reasons.js';
import { requestHashOf } from '../../../../../lib/idempotency/idempotency-keys.js';
import { KeyedQueue } from '../../../../../lib/runtime/keyed-queue.js';
import { BatchedRead } from './batched-read.js';
import { forget, knownStock, learn, now } from './known-stock.js';
import { claim, read, rewrite, type LedgerEntry } from './ledger.js';
import { announceLowStock, type StockChange } from './low-stock.js';
import { inVariantOrder, requireStockLines, type StockLineInput } from './stock-lines.js';
import type { StockStatus } from '../../entities/product.js';
import { availableOfProduct, lockProducts, settleStockStatus, stockStatusChange } from './stock-status.js';

// Every statement of a reservation, its release and its commit is a prepared statement (one text
// each): they run for every checkout, and PostgreSQL then plans them once per connection.

export type ReservationState = 'reserved' | 'released' | 'committed';

/** Units held at one inventory row (variant at a location). */
export interface HeldUnits {
  inventoryId: string;
  productId: string;
  variantId: string;
  location: string;
  quantity: number;
}

/** What the ledger remembers of an order's reservation. */
export interface ReservationRecord {
  orderId: string;
  state: ReservationState;
  units: HeldUnits[];
}

const SCOPE = 'reserve-stock';
/**
 * How long a closed reservation (released, committed, or a release that came first) stays: its
 * order's saga may still repeat a call for it, and a late ReserveStock must find the tombstone.
 */
const CLOSED_RESERVATION_DAYS = 30;
/** The request hash of a release that arrived before any reservation (a tombstone). */
const RELEASED_BEFORE_RESERVED = 'released-before-reserved';

interface StockRow {
  id: string;
  product_id: string;
  variant_id: string;
  sku: string;
  location: string;
  available_quantity: number;
  low_stock_threshold: number;
  /**
   * Its product's stored stock status and units available over its active variants (a reservation
   * sets the status again only when it changes it; release and commit always do).
   */
  product_stock_status: StockStatus;
  product_available: number;
}

/**
 * Locks the stock rows of these variants, in one order (variant, location) for every caller, so
 * that concurrent reservations, releases and commits queue on the rows instead of deadlocking.
 * Their products are locked before (`lockProducts`, in id order), as by every stock change that
 * moves available units, so what this statement reads of the products' stock stays true until the
 * transaction ends (a commit, which takes no product lock, moves no available unit).
 */
async function lockStock(em: EntityManager, variantIds: readonly string[]): Promise<StockRow[]> {
  return executePrepared<StockRow>(
    em,
    'product:lock-stock',
    `SELECT i.id, i.product_id, i.variant_id, v.sku, i.location, i.available_quantity, i.low_stock_threshold,
            p.stock_status AS product_stock_status, ${availableOfProduct('i.product_id')}::int AS product_available
       FROM inventory i JOIN product_variants v ON v.id = i.variant_id JOIN products p ON p.id = i.product_id
      WHERE i.variant_id = ANY(?::uuid[])
      ORDER BY i.variant_id, i.location
        FOR UPDATE OF i`,
    [`{${variantIds.join(',')}}`],
  );
}

/**
 * Every line names a variant that exists (NOT_FOUND otherwise) and is for sale: its product is
 * active and the variant itself not deactivated. A product archived between the cart and the
 * checkout is refused here, FAILED_PRECONDITION naming each such line, rather than sold. Locks the
 * lines' products on the way, in id order (what `lockProducts` does, in the same statement: the
 * rows are locked in ORDER BY order), and returns them.
 */
async function requireVariantsOnSale(
  em: EntityManager,
  lines: readonly StockLineInput[],
  original: readonly StockLineInput[],
): Promise<string[]> {
  const rows = await executePrepared<{ id: string; product_id: string; on_sale: boolean }>(
    em,
    'product:variants-on-sale',
    `SELECT v.id, v.product_id, (p.status = 'active' AND v.is_active) AS on_sale
       FROM product_variants v JOIN products p ON p.id = v.product_id
      WHERE v.id = ANY(?::uuid[])
      ORDER BY p.id
        FOR NO KEY UPDATE OF p`,
    [`{${lines.map((line) => line.variantId).join(',')}}`],
  );
  const onSale = new Map(rows.map((row) => [row.id, row.on_sale]));
  const unknown = original.findIndex((line) => !onSale.has(line.variantId));
  if (unknown >= 0) throw notFound('variant', `${original[unknown]!.variantId} (lines[${unknown}])`);
  const notForSale = original.flatMap((line, index) => (onSale.get(line.variantId) ? [] : [{ line, index }]));
  if (notForSale.length > 0) {
    throw new AppError(
      status.FAILED_PRECONDITION,
      `not for sale: ${notForSale.map(({ index }) => `lines[${index}].variant_id`).join(', ')}`,
      notForSale.map(({ line, index }) => ({
        field: `lines[${index}].variant_id`,
        description: `variant ${line.variantId} is not for sale`,
      })),
      {
        reason: ProductReason.NOT_FOR_SALE,
        metadata: { variant_ids: notForSale.map(({ line }) => line.variantId).join(',') },
      },
    );
  }
  return [...new Set(rows.map((row) => row.product_id))];
}

/** A line that asks for more than its variant has: the violation ReserveStock reports, and the variant. */
type ShortLine = FieldViolation & { variantId: string };

/** The lines that ask for more than `availableOf` their variant, as ReserveStock reports them. */
function shortLines(
  lines: readonly StockLineInput[],
  original: readonly StockLineInput[],
  availableOf: (variantId: string) => number,
): ShortLine[] {
  return lines.flatMap((line) => {
    const available = availableOf(line.variantId);
    if (available >= line.quantity) return [];
    const index = original.findIndex((candidate) => candidate.variantId === line.variantId);
    return [
      {
        field: `lines[${index}].quantity`,
        description: `${line.quantity} requested, ${available} available (variant ${line.variantId})`,
        variantId: line.variantId,
      },
    ];
  });
}

function notEnoughStock(short: ShortLine[]): AppError {
  short.sort((a, b) => a.field.localeCompare(b.field, 'en', { numeric: true }));
  return new AppError(
    status.FAILED_PRECONDITION,
    `not enough stock: ${short.map((v) => `${v.field}: ${v.description}`).join('; ')}`,
    short.map(({ field, description }) => ({ field, description })),
    {
      reason: ProductReason.OUT_OF_STOCK,
      metadata: { variant_ids: short.map((v) => v.variantId).join(',') },
    },
  );
}

/** What one batched read found of a variant: on sale, and its units available over its locations. */
interface VariantStock {
  onSale: boolean;
  available: number;
}

/**
 * The variants' stock as it is now, without a lock or a transaction: the variants asked for by the
 * orders arriving together are read in one statement (`BatchedRead`). What it finds of the variants
 * on sale is kept (`learn`), stamped before the read, so after every asker arrived: the orders
 * queued behind are judged by it at their turn. An unknown variant is absent from the answer.
 */
const stockReads = new BatchedRead(async (em, variantIds: readonly string[]) => {
  const learnedAt = now();
  const rows = await executePrepared<{ variant_id: string; on_sale: boolean; available: number }>(
    em,
    'product:stock-read',
    `SELECT v.id AS variant_id, (p.status = 'active' AND v.is_active) AS on_sale,
            coalesce((SELECT sum(greatest(i.available_quantity, 0)) FROM inventory i WHERE i.variant_id = v.id), 0)::int
              AS available
       FROM product_variants v JOIN products p ON p.id = v.product_id
      WHERE v.id = ANY(?::uuid[])`,
    [`{${variantIds.join(',')}}`],
  );
  const stock = new Map<string, VariantStock>();
  for (const row of rows) {
    const available = Number(row.available);
    stock.set(row.variant_id, { onSale: row.on_sale, available });
    if (row.on_sale) learn(row.variant_id, available, learnedAt);
  }
  return stock;
});

/**
 * The lines that cannot be served now, as the locked check would report them, when every variant
 * is on sale and some line asks for more than its variant has; undefined otherwise (an unknown
 * variant or one not for sale is for the locked check to answer).
 */
async function shortNow(
  em: EntityManager,
  lines: readonly StockLineInput[],
  original: readonly StockLineInput[],
): Promise<ShortLine[] | undefined> {
  const stock = await stockReads.ask(
    em,
    lines.map((line) => line.variantId),
  );
  if (lines.some((line) => !stock.get(line.variantId)?.onSale)) return undefined;
  const short = shortLines(lines, original, (variantId) => stock.get(variantId)!.available);
  return short.length > 0 ? short : undefined;
}

/**
 * The lines that are short by what this process knows of their variants, when every value was
 * learned after the order arrived (the refusal was true at the moment a short value was);
 * undefined when they all fit, or something is not known or was known before the order arrived:
 * the locked check tells then, and stays the truth.
 */
function shortByKnownStock(
  arrivedAt: number,
  lines: readonly StockLineInput[],
  original: readonly StockLineInput[],
): ShortLine[] | undefined {
  const known = lines.map((line) => knownStock(line.variantId));
  if (known.some((value) => value === undefined || value.learnedAt < arrivedAt)) return undefined;
  const short = shortLines(lines, original, (variantId) => knownStock(variantId)!.available);
  return short.length > 0 ? short : undefined;
}

/**
 * Whether every line fits in what this process last learned of its variant, however long ago
 * (stale values only send an order to the locked check, which decides).
 */
function fitsByKnownStock(lines: readonly StockLineInput[]): boolean {
  return lines.every((line) => (knownStock(line.variantId)?.available ?? 0) >= line.quantity);
}

/**
 * The order ids of these that have a ledger entry (a repeat, or a release that came first), in one
 * read for the refusals asked together. Entries are only added (a closed one goes after 30 days),
 * so one absent now was absent when a value learned before this read was true.
 */
const ledgerReads = new BatchedRead(async (em, orderIds: readonly string[]) => {
  const rows = await executePrepared<{ key: string }>(
    em,
    'product:ledger-keys',
    'SELECT key FROM infra.idempotency_keys WHERE scope = ? AND key = ANY(?::text[])',
    [SCOPE, `{${orderIds.join(',')}}`],
  );
  return new Set(rows.map((row) => row.key));
});

/** Adds `delta` to reserved (and `onHandDelta` to quantity) of each row, in one statement. */
async function moveUnits(
  em: EntityManager,
  units: readonly HeldUnits[],
  reservedSign: 1 | -1,
  onHand: boolean,
) {
  if (units.length === 0) return;
  await executePrepared(
    em,
    'product:move-units',
    `UPDATE inventory i
        SET reserved_quantity = i.reserved_quantity + d.n * ?::int,
            quantity = i.quantity - CASE WHEN ?::boolean THEN d.n ELSE 0 END,
            updated_at = now()
       FROM (SELECT unnest(?::uuid[]) AS id, unnest(?::int[]) AS n) d
      WHERE i.id = d.id`,
    [
      reservedSign,
      onHand,
      `{${units.map((unit) => unit.inventoryId).join(',')}}`,
      `{${units.map((unit) => unit.quantity).join(',')}}`,
    ],
  );
}

/**
 * The order's ledger entry, if it has one: its reservation, or its tombstone (a release that came
 * first). FAILED_PRECONDITION if the order reserved other lines.
 */
async function recordedReservation(
  em: EntityManager,
  orderId: string,
  requestHash: string,
): Promise<ReservationRecord | undefined> {
  const entry = await read<ReservationRecord>(em, SCOPE, orderId);
  if (!entry) return undefined;
  if (entry.requestHash !== requestHash && entry.requestHash !== RELEASED_BEFORE_RESERVED) {
    throw failedPrecondition(
      `order ${orderId} already holds a reservation of other lines`,
      CommonReason.IDEMPOTENCY_KEY_REUSED,
      { order_id: orderId },
    );
  }
  return entry.result;
}

/**
 * Records the reservation in the ledger (what `claim` does) and, only if that claimed the order,
 * reserves its units, in one statement; false when the order already had an entry (nothing is
 * reserved then). A concurrent call for the same order waits on the ledger's primary key.
 */
async function claimAndReserve(
  em: EntityManager,
  requestHash: string,
  record: ReservationRecord,
): Promise<boolean> {
  const [row] = await executePrepared<{ claimed: number }>(
    em,
    'product:claim-and-reserve',
    `WITH claimed AS (
       INSERT INTO infra.idempotency_keys (scope, key, request_hash, status, response, completed_at)
       VALUES (?, ?, ?, 'completed', ?, now())
       ON CONFLICT (scope, key) DO NOTHING RETURNING key
     ), reserved AS (
       UPDATE inventory i
          SET reserved_quantity = i.reserved_quantity + d.n, updated_at = now()
         FROM (SELECT unnest(?::uuid[]) AS id, unnest(?::int[]) AS n) d
        WHERE i.id = d.id AND EXISTS (SELECT 1 FROM claimed)
       RETURNING i.id
     )
     SELECT (SELECT count(*) FROM claimed)::int AS claimed`,
    [
      SCOPE,
      record.orderId,
      requestHash,
      Buffer.from(JSON.stringify(record)),
      `{${record.units.map((unit) => unit.inventoryId).join(',')}}`,
      `{${record.units.map((unit) => unit.quantity).join(',')}}`,
    ],
  );
  return row!.claimed > 0;
}

/**
 * Gives held units back (release), with the rows locked in the order of every stock change, and
 * the products' stock status set again (the units are available again).
 */
async function giveBackHeldUnits(
  em: EntityManager,
  units: readonly HeldUnits[],
  lowStockThreshold: number,
): Promise<void> {
  const productIds = [...new Set(units.map((unit) => unit.productId))];
  await lockProducts(em, productIds);
  await lockStock(em, [...new Set(units.map((unit) => unit.variantId))].sort());
  await moveUnits(em, units, -1, false);
  await settleStockStatus(em, productIds, lowStockThreshold);
}

/**
 * The order's ledger entry locked for this transaction (a concurrent release or commit of the
 * order waits here, then reads the entry that one left) and, while it holds units, their stock rows
 * locked in the order of every stock change (variant, location), in one statement. The rows are
 * locked after the entry, from the entry as it is once locked. A SELECT in WITH runs only as far
 * as it is read: the count makes `locked` run to its end.
 *
 * A commit takes no product lock: it lowers on hand and reserved by the same units, so no row's
 * `available_quantity` (on hand − reserved) changes, and with it neither its products' stock
 * status nor anything else a product lock guards (what reservations read of the products' stock,
 * low-stock crossings, known stock). Nor can it deadlock with the stock changes that lock
 * products: it waits only for its order's entry (which a release or commit of the order takes
 * first too) and for stock rows, which it takes in the one order every writer of several stock rows
 * takes them in (variant, location; UpdateProduct's thresholds too).
 */
async function lockReservation(
  em: EntityManager,
  orderId: string,
): Promise<LedgerEntry<ReservationRecord> | undefined> {
  const [row] = await executePrepared<{ request_hash: string; response: Buffer | Uint8Array }>(
    em,
    'product:lock-reservation',
    `WITH entry AS (
       SELECT request_hash, response FROM infra.idempotency_keys WHERE scope = ? AND key = ? FOR UPDATE
     ), held AS (
       SELECT (unit ->> 'inventoryId')::uuid AS id
         FROM entry, jsonb_array_elements(convert_from(entry.response, 'UTF8')::jsonb -> 'units') AS unit
        WHERE convert_from(entry.response, 'UTF8')::jsonb ->> 'state' = 'reserved'
     ), locked AS (
       SELECT i.id FROM inventory i
        WHERE i.id IN (SELECT id FROM held)
        ORDER BY i.variant_id, i.location
          FOR UPDATE OF i
     )
     SELECT request_hash, response, (SELECT count(*) FROM locked)::int AS locked_rows FROM entry`,
    [SCOPE, orderId],
  );
  if (!row) return undefined;
  return {
    requestHash: row.request_hash,
    result: JSON.parse(Buffer.from(row.response).toString('utf8')) as ReservationRecord,
  };
}

/**
 * Ships the units of a reservation whose entry and stock rows this transaction has locked
 * (`lockReservation`): on hand and reserved drop by them, and the entry becomes `committed` (it may
 * go after 30 days), in one statement. Its own statement after the locks: in READ COMMITTED it
 * reads the rows as the transactions it waited for left them.
 */
async function shipHeldUnits(em: EntityManager, committed: ReservationRecord): Promise<void> {
  await executePrepared(
    em,
    'product:ship-units',
    `WITH shipped AS (
       UPDATE inventory i
          SET quantity = i.quantity - d.n, reserved_quantity = i.reserved_quantity - d.n, updated_at = now()
         FROM (SELECT unnest(?::uuid[]) AS id, unnest(?::int[]) AS n) d
        WHERE i.id = d.id
     )
     UPDATE infra.idempotency_keys
        SET response = ?, completed_at = now(), expires_at = now() + make_interval(days => ?::int)
      WHERE scope = ? AND key = ?`,
    [
      `{${committed.units.map((unit) => unit.inventoryId).join(',')}}`,
      `{${committed.units.map((unit) => unit.quantity).join(',')}}`,
      Buffer.from(JSON.stringify(committed)),
      CLOSED_RESERVATION_DAYS,
      SCOPE,
      committed.orderId,
    ],
  );
}

/**
 * The reservations this process is running, queued by variant. A rush for scarce stock sends its
 * orders at once: each reads the stock on arrival (one read for the orders arriving together) and
 * those that may succeed queue here, where each is judged at its turn by what the orders before
 * it (in this process) learned: one that no longer fits is refused without a read, a transaction
 * or a lock. On PostgreSQL they would queue on the same rows' locks anyway; PGlite runs one
 * statement at a time.
 */
const reservationsInProgress = new KeyedQueue();

/**
 * Reserves every line for the order or nothing. Each line takes units from the variant's locations
 * in name order. Safe under any concurrency: the rows are locked in one order (products, then
 * stock) and the database refuses reserved > on hand (CHECK) whatever happens here. Idempotent by
 * order id: a repeat answers the recorded reservation in its current state. The products' stock
 * status follows in the same transaction (`lowStockThreshold`: PRODUCT_LOW_STOCK_THRESHOLD).
 *
 * A refusal without the locks (the stock read on arrival, or what is known at the order's turn) is
 * the locked check's answer at a moment after the order arrived, and asks the ledger first: an
 * order it knows goes to the locked check, which answers its recorded reservation.
 */
export async function reserveStock(
  em: EntityManager,
  input: { orderId: string; lines: readonly StockLineInput[] },
  lowStockThreshold: number,
): Promise<ReservationRecord> {
  const orderId = requireUuid('order_id', input.orderId);
  const original = requireStockLines(input.lines);
  const lines = inVariantOrder(original);
  const requestHash = requestHashOf(lines);
  const reserve = () => reserveLocked(em, orderId, lines, original, requestHash, lowStockThreshold);

  const arrivedAt = now();
  // The read on arrival is for refusing without the locks; when what this process knows says every
  // line fits, the order goes to the locked check (the truth) without it.
  let short = fitsByKnownStock(lines) ? undefined : await shortNow(em, lines, original);
  if (!short) {
    const turn: { record: ReservationRecord } | { short: ShortLine[] } = await reservationsInProgress.run(
      lines.map((line) => line.variantId),
      async () => {
        const shortByKnown = shortByKnownStock(arrivedAt, lines, original);
        return shortByKnown ? { short: shortByKnown } : { record: await reserve() };
      },
    );
    if ('record' in turn) return turn.record;
    short = turn.short;
  }
  // Out of the queue: the orders behind need not wait for this read, and a refusal changes nothing.
  if ((await ledgerReads.ask(em, [orderId])).has(orderId)) return reserve();
  throw notEnoughStock(short);
}

/*
 * The usual reservation in one statement (no BEGIN and COMMIT round trips, and the product and
 * stock locks held for one statement and its commit): every line's variant on sale and served in
 * full, no location falling to its low-stock threshold, no product's stock status changing, and
 * the order new to the ledger. Then the entry is claimed and the units reserved, taken from each
 * variant's locations in name order, as the transaction below would; otherwise nothing is written
 * and that transaction decides (and answers a refusal, a repeat, a status change or a low-stock
 * event). The locks are taken in the order of every stock change: the lines' products (id order),
 * then every stock row of those products (variant, location), each row read as it is once locked,
 * so what the products' stock status is computed from is current (in one statement, rows read
 * without a lock would be as they were when it began). `available` is each row's on hand −
 * reserved; a status counts the active variants only, as `availableOfProduct` does.
 */
const RESERVE_AT_ONCE_SQL = `
  WITH lines AS (
    SELECT * FROM unnest(:variantIds::uuid[], :quantities::int[]) AS l(variant_id, quantity)),
  locked_products AS (
    SELECT p.id, p.status, p.stock_status FROM products p
     WHERE p.id IN (SELECT v.product_id FROM product_variants v WHERE v.id IN (SELECT variant_id FROM lines))
     ORDER BY p.id
       FOR NO KEY UPDATE),
  stock AS (
    SELECT i.id, i.product_id, i.variant_id, i.location, i.available_quantity AS available,
           i.low_stock_threshold, v.is_active
      FROM inventory i JOIN product_variants v ON v.id = i.variant_id
     WHERE i.product_id IN (SELECT id FROM locked_products)
     ORDER BY i.variant_id, i.location
       FOR UPDATE OF i),
  alloc AS (
    SELECT s.*, least(greatest(s.available, 0), greatest(0, l.quantity - coalesce(sum(greatest(s.available, 0))
             OVER (PARTITION BY s.variant_id ORDER BY s.location ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)))
             AS take
      FROM stock s JOIN lines l ON l.variant_id = s.variant_id),
  served AS (
    SELECT l.variant_id, l.quantity, coalesce(sum(a.take), 0) AS taken
      FROM lines l LEFT JOIN alloc a ON a.variant_id = l.variant_id GROUP BY l.variant_id, l.quantity),
  products_after AS (
    SELECT p.stock_status,
           coalesce(sum(greatest(s.available, 0)) FILTER (WHERE s.is_active), 0)
             - coalesce((SELECT sum(a.take) FROM alloc a WHERE a.product_id = p.id), 0) AS available
      FROM locked_products p LEFT JOIN stock s ON s.product_id = p.id GROUP BY p.id, p.stock_status),
  usual AS (
    SELECT (SELECT count(*) FROM product_variants v JOIN locked_products p ON p.id = v.product_id
             WHERE v.id IN (SELECT variant_id FROM lines) AND v.is_active AND p.status = 'active')
             = (SELECT count(*) FROM lines)
       AND NOT EXISTS (SELECT FROM served WHERE taken < quantity)
       AND NOT EXISTS (SELECT FROM alloc WHERE take > 0 AND available > low_stock_threshold
                         AND available - take <= low_stock_threshold)
       AND NOT EXISTS (SELECT FROM products_after
                        WHERE stock_status <> 'backorder'
                          AND stock_status <> CASE WHEN available <= 0 THEN 'out_of_stock'
                                                   WHEN available <= :threshold THEN 'low_stock'
                                                   ELSE 'in_stock' END) AS ok),
  record AS (
    SELECT convert_to(json_build_object('orderId', :orderId::text, 'state', 'reserved', 'units',
             (SELECT coalesce(json_agg(json_build_object('inventoryId', id, 'productId', product_id,
                 'variantId', variant_id, 'location', location, 'quantity', take) ORDER BY variant_id, location), '[]')
                FROM alloc WHERE take > 0))::text, 'UTF8') AS response),
  claimed AS (
    INSERT INTO infra.idempotency_keys (scope, key, request_hash, status, response, completed_at)
    SELECT :scope, :orderId, :requestHash, 'completed', record.response, now() FROM record
     WHERE (SELECT ok FROM usual)
    ON CONFLICT (scope, key) DO NOTHING
    RETURNING response),
  reserved AS (
    UPDATE inventory i SET reserved_quantity = i.reserved_quantity + a.take, updated_at = now()
      FROM alloc a
     WHERE i.id = a.id AND a.take > 0 AND EXISTS (SELECT FROM claimed))
  SELECT (SELECT response FROM claimed) AS response,
         (SELECT json_agg(json_build_object('variantId', variant_id, 'availableAfter', taken_from))
            FROM (SELECT l.variant_id, coalesce(sum(greatest(s.available, 0)), 0) - l.quantity AS taken_from
                    FROM lines l LEFT JOIN stock s ON s.variant_id = l.variant_id GROUP BY l.variant_id, l.quantity) v)
           AS available_after
   WHERE EXISTS (SELECT FROM claimed)`;

/**
 * The usual reservation in one statement (see above): the record, and each variant's units
 * available after it; undefined when it wrote nothing.
 */
async function reserveAtOnce(
  em: EntityManager,
  orderId: string,
  lines: readonly StockLineInput[],
  requestHash: string,
  lowStockThreshold: number,
): Promise<{ record: ReservationRecord; availableAfter: Map<string, number> } | undefined> {
  const [row] = await executePrepared<{
    response: Buffer | Uint8Array;
    available_after: string | { variantId: string; availableAfter: number }[];
  }>(em, 'product:reserve-at-once', RESERVE_AT_ONCE_SQL, {
    variantIds: `{${lines.map((line) => line.variantId).join(',')}}`,
    quantities: `{${lines.map((line) => line.quantity).join(',')}}`,
    threshold: lowStockThreshold,
    orderId,
    scope: SCOPE,
    requestHash,
  });
  if (!row) return undefined;
  const after =
    typeof row.available_after === 'string' ? JSON.parse(row.available_after) : row.available_after;
  return {
    record: JSON.parse(Buffer.from(row.response).toString('utf8')) as ReservationRecord,
    availableAfter: new Map(
      (after as { variantId: string; availableAfter: number }[]).map((v) => [
        v.variantId,
        Number(v.availableAfter),
      ]),
    ),
  };
}

async function reserveLocked(
  em: EntityManager,
  orderId: string,
  lines: readonly StockLineInput[],
  original: readonly StockLineInput[],
  requestHash: string,
  lowStockThreshold: number,
): Promise<ReservationRecord> {
  // Taken before the statement, at whose commit the values it answers are true.
  const learnedAtOnce = now();
  const atOnce = await reserveAtOnce(em, orderId, lines, requestHash, lowStockThreshold);
  if (atOnce) {
    for (const [variantId, available] of atOnce.availableAfter) learn(variantId, available, learnedAtOnce);
    return atOnce.record;
  }
  const availableAfter = new Map<string, number>();
  let learnedAt = 0;
  const record = await em.transactional(async (tx) => {
    // Locks first, then the ledger: a repeat takes the locks too, and a refusal asks the ledger
    // whether the order is known (a repeat answers its entry, whatever the stock says now).
    let refusal: AppError | undefined;
    let productIds: string[] = [];
    let rows: StockRow[] = [];
    try {
      productIds = await requireVariantsOnSale(tx, lines, original);
      rows = await lockStock(
        tx,
        lines.map((line) => line.variantId),
      );
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      refusal = error;
    }
    const locationsOf = (variantId: string) => rows.filter((row) => row.variant_id === variantId);
    const availableOf = (variantId: string) =>
      locationsOf(variantId).reduce((sum, row) => sum + Math.max(0, row.available_quantity), 0);
    if (!refusal) {
      const short = shortLines(lines, original, availableOf);
      if (short.length > 0) refusal = notEnoughStock(short);
    }
    if (refusal) {
      const recorded = await recordedReservation(tx, orderId, requestHash);
      if (recorded) return recorded;
      throw refusal;
    }

    const units: HeldUnits[] = [];
    const changes: StockChange[] = [];
    for (const line of lines) {
      const locations = locationsOf(line.variantId);
      let wanted = line.quantity;
      for (const row of locations) {
        const take = Math.min(wanted, Math.max(0, row.available_quantity));
        if (take === 0) continue;
        wanted -= take;
        units.push({
          inventoryId: row.id,
          productId: row.product_id,
          variantId: row.variant_id,
          location: row.location,
          quantity: take,
        });
        changes.push({
          productId: row.product_id,
          variantId: row.variant_id,
          sku: row.sku,
          location: row.location,
          availableBefore: row.available_quantity,
          availableAfter: row.available_quantity - take,
          lowStockThreshold: row.low_stock_threshold,
        });
        if (wanted === 0) break;
      }
    }
    const record: ReservationRecord = { orderId, state: 'reserved', units };
    if (!(await claimAndReserve(tx, requestHash, record))) {
      return (await recordedReservation(tx, orderId, requestHash))!;
    }
    for (const line of lines) availableAfter.set(line.variantId, availableOf(line.variantId) - line.quantity);
    // A product's status is set again only when this reservation changes it (at a threshold),
    // which its locked rows tell: one statement less for most reservations.
    const productsToSettle = productIds.filter((productId) => {
      const row = rows.find((candidate) => candidate.product_id === productId);
      if (!row) return true;
      const taken = units
        .filter((unit) => unit.productId === productId)
        .reduce((sum, unit) => sum + unit.quantity, 0);
      const availableAfter = Number(row.product_available) - taken;
      return stockStatusChange(row.product_stock_status, availableAfter, lowStockThreshold) !== undefined;
    });
    await settleStockStatus(tx, productsToSettle, lowStockThreshold);
    await announceLowStock(tx, changes);
    // Taken before the commit, at which these values are true: orders that arrived until now may
    // be judged by them.
    learnedAt = now();
    return record;
  });
  for (const [variantId, available] of availableAfter) learn(variantId, available, learnedAt);
  return record;
}

/**
 * Gives back what the order holds. An unknown order releases nothing and leaves a tombstone, so a
 * ReserveStock for it that arrives late (a retry racing the compensation) reserves nothing either.
 */
export async function releaseReservation(
  em: EntityManager,
  input: { orderId: string },
  lowStockThreshold: number,
): Promise<{ reservation: ReservationRecord; releasedNow: boolean }> {
  const orderId = requireUuid('order_id', input.orderId);
  const released = await em.transactional(async (tx) => {
    const tombstone: ReservationRecord = { orderId, state: 'released', units: [] };
    if (await claim(tx, SCOPE, orderId, RELEASED_BEFORE_RESERVED, tombstone, CLOSED_RESERVATION_DAYS)) {
      return { reservation: tombstone, releasedNow: false };
    }
    const { result: record } = (await read<ReservationRecord>(tx, SCOPE, orderId, true))!;
    if (record.state === 'released') return { reservation: record, releasedNow: false };
    if (record.state === 'committed') {
      throw failedPrecondition(
        `order ${orderId}'s reservation was committed: its units have left the warehouse`,
        ProductReason.RESERVATION_COMMITTED,
        { order_id: orderId },
      );
    }
    await giveBackHeldUnits(tx, record.units, lowStockThreshold);
    const released: ReservationRecord = { ...record, state: 'released' };
    await rewrite(tx, SCOPE, orderId, released, CLOSED_RESERVATION_DAYS);
    return { reservation: released, releasedNow: true };
  });
  forget(released.reservation.units.map((unit) => unit.variantId));
  return released;
}

/*
 * The usual commit in one statement (no BEGIN and COMMIT round trips, and the stock rows' locks
 * held for one statement and its commit): the order's entry locked, and only while it is
 * `reserved`, its stock rows locked in (variant, location) order, its units shipped and the entry
 * rewritten as `committed`. Anything else (committed already, released, unknown) changes nothing
 * here and is answered by the transaction below. The rows are all locked before the first is
 * changed: the count of `locked` is a one-time condition of the update, evaluated before it scans.
 */
const COMMIT_AT_ONCE_SQL = `
  WITH entry AS (
    SELECT convert_from(response, 'UTF8')::jsonb AS record FROM infra.idempotency_keys
     WHERE scope = :scope AND key = :orderId FOR UPDATE),
  held AS (
    SELECT (unit ->> 'inventoryId')::uuid AS id, (unit ->> 'quantity')::int AS n
      FROM entry, jsonb_array_elements(entry.record -> 'units') AS unit
     WHERE entry.record ->> 'state' = 'reserved'),
  locked AS (
    SELECT i.id FROM inventory i WHERE i.id IN (SELECT id FROM held) ORDER BY i.variant_id, i.location
       FOR UPDATE OF i),
  shipped AS (
    UPDATE inventory i
       SET quantity = i.quantity - held.n, reserved_quantity = i.reserved_quantity - held.n, updated_at = now()
      FROM held
     WHERE i.id = held.id AND (SELECT count(*) FROM locked) >= 0),
  committed AS (
    UPDATE infra.idempotency_keys k
       SET response = convert_to(jsonb_set(entry.record, '{state}', '"committed"')::text, 'UTF8'),
           completed_at = now(), expires_at = now() + make_interval(days => :days)
      FROM entry
     WHERE k.scope = :scope AND k.key = :orderId AND entry.record ->> 'state' = 'reserved'
    RETURNING k.response)
  SELECT response FROM committed`;

/** The usual commit in one statement; undefined when it changed nothing (see above). */
async function commitAtOnce(em: EntityManager, orderId: string): Promise<ReservationRecord | undefined> {
  const [row] = await executePrepared<{ response: Buffer | Uint8Array }>(
    em,
    'product:commit-at-once',
    COMMIT_AT_ONCE_SQL,
    { scope: SCOPE, orderId, days: CLOSED_RESERVATION_DAYS },
  );
  return row ? (JSON.parse(Buffer.from(row.response).toString('utf8')) as ReservationRecord) : undefined;
}

/**
 * The order's reserved units leave the warehouse: on hand and reserved both drop. A repeat answers
 * the committed reservation and changes nothing. Every checkout calls it once: one statement for
 * a reserved reservation (`commitAtOnce`); otherwise BEGIN, the entry and its stock rows locked
 * (`lockReservation`), the units shipped and the entry rewritten (`shipHeldUnits`), COMMIT.
 */
export async function commitReservation(
  em: EntityManager,
  input: { orderId: string },
): Promise<ReservationRecord> {
  const orderId = requireUuid('order_id', input.orderId);
  const atOnce = await commitAtOnce(em, orderId);
  if (atOnce) return atOnce;
  const committed = await em.transactional(async (tx) => {
    const entry = await lockReservation(tx, orderId);
    if (!entry || entry.requestHash === RELEASED_BEFORE_RESERVED)
      throw notFound('reservation for order', orderId);
    const record = entry.result;
    if (record.state === 'committed') return record;
    if (record.state === 'released') {
      throw failedPrecondition(
        `order ${orderId}'s reservation was released`,
        ProductReason.RESERVATION_RELEASED,
        {
          order_id: orderId,
        },
      );
    }
    const committed: ReservationRecord = { ...record, state: 'committed' };
    await shipHeldUnits(tx, committed);
    return committed;
  });
  // What this process knows of the variants stays true: a commit moves no available unit.
  return committed;
}
