import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { decimalToMinorUnits, minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import { executePrepared } from '../../../../lib/db/prepared-statement.js';
import { newId } from '../../../../lib/ids.js';
import type { CartStatus } from '../entities/cart.js';
import type { CartOwner } from './cart-owner.js';

/**
 * The cart tables in hand-written SQL: each function is one statement. Mutations lock the cart row
 * first (`lockCart`, `lockActiveCartOf`), so every change of one cart runs one at a time and its
 * limits and cached totals are computed from lines nobody else is changing.
 */

export interface CartRecord {
  id: string;
  userId: string | null;
  sessionId: string | null;
  status: CartStatus;
  currency: string;
  couponCode: string | null;
  expiresAt: Date | null;
  mergedIntoCartId: string | null;
  /** Raised by one by every statement that changes the cart. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface LineRecord {
  id: string;
  productId: string;
  variantId: string;
  productName: string;
  productSku: string;
  productImageUrl: string | null;
  /** Minor units of the cart's currency. */
  unitPrice: number;
  quantity: number;
  createdAt: Date;
}

/** What a line snapshots from the catalog when it is checked against it. */
export interface LineSnapshot {
  productId: string;
  variantId: string;
  productName: string;
  productSku: string;
  productImageUrl: string | null;
  unitPrice: number;
}

type Row = Record<string, unknown>;

const CART_COLUMNS = `id, user_id, session_id, status, currency, coupon_code, expires_at, merged_into_cart_id,
  version, created_at, updated_at`;
const LINE_COLUMNS = `id, product_id, variant_id, product_name, product_sku, product_image_url,
  unit_price::text AS unit_price, quantity, created_at`;

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

export function toCart(row: Row): CartRecord {
  return {
    id: String(row.id),
    userId: (row.user_id as string | null) ?? null,
    sessionId: (row.session_id as string | null) ?? null,
    status: row.status as CartStatus,
    currency: String(row.currency),
    couponCode: (row.coupon_code as string | null) ?? null,
    expiresAt: row.expires_at == null ? null : asDate(row.expires_at),
    mergedIntoCartId: (row.merged_into_cart_id as string | null) ?? null,
    version: Number(row.version),
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
  };
}

export function toLine(row: Row): LineRecord {
  return {
    id: String(row.id),
    productId: String(row.product_id),
    variantId: String(row.variant_id),
    productName: String(row.product_name),
    productSku: String(row.product_sku),
    productImageUrl: (row.product_image_url as string | null) ?? null,
    unitPrice: decimalToMinorUnits(String(row.unit_price)),
    quantity: Number(row.quantity),
    createdAt: asDate(row.created_at),
  };
}

/** The owner's active carts: a customer's one, or a guest session's, newest first. */
function activeOf(owner: CartOwner, alias = ''): { where: string; params: unknown[] } {
  const c = alias ? `${alias}.` : '';
  return 'userId' in owner
    ? { where: `${c}user_id = ? AND ${c}status = 'active'`, params: [owner.userId] }
    : {
        where: `${c}session_id = ? AND ${c}user_id IS NULL AND ${c}status = 'active'`,
        params: [owner.sessionId],
      };
}

/**
 * One cart with its lines, in one query (reads: no lock). Prepared, one text per kind of lookup:
 * every cart read and every checkout's runs it.
 */
export async function readCart(
  em: EntityManager,
  lookup: { cartId: string } | { activeOf: CartOwner },
): Promise<{ cart: CartRecord; lines: LineRecord[] } | undefined> {
  const filter =
    'cartId' in lookup ? { where: 'c.id = ?', params: [lookup.cartId] } : activeOf(lookup.activeOf, 'c');
  const lookupKind = 'cartId' in lookup ? 'id' : 'userId' in lookup.activeOf ? 'user' : 'session';
  const [row] = await executePrepared<Row>(
    em,
    `cart:read-by-${lookupKind}`,
    `SELECT c.id, c.user_id, c.session_id, c.status, c.currency, c.coupon_code, c.expires_at,
            c.merged_into_cart_id, c.version, c.created_at, c.updated_at,
            coalesce((SELECT json_agg(json_build_object(
                        'id', i.id, 'product_id', i.product_id, 'variant_id', i.variant_id,
                        'product_name', i.product_name, 'product_sku', i.product_sku,
                        'product_image_url', i.product_image_url, 'unit_price', i.unit_price::text,
                        'quantity', i.quantity, 'created_at', i.created_at)
                        ORDER BY i.created_at, i.id)
                        FROM cart_items i WHERE i.cart_id = c.id), '[]'::json) AS lines
       FROM carts c WHERE ${filter.where}
      ORDER BY c.created_at DESC LIMIT 1`,
    filter.params as Knex.RawBinding[],
  );
  if (!row) return undefined;
  const lines = (typeof row.lines === 'string' ? JSON.parse(row.lines) : row.lines) as Row[];
  return { cart: toCart(row), lines: lines.map(toLine) };
}

/** The cart header by id, without its lines (reads: no lock). */
export async function findCart(em: EntityManager, cartId: string): Promise<CartRecord | undefined> {
  const [row] = await em.execute<Row[]>(`SELECT ${CART_COLUMNS} FROM carts WHERE id = ?`, [cartId]);
  return row && toCart(row);
}

/** The cart by id, locked for the rest of the transaction. */
export async function lockCart(tx: EntityManager, cartId: string): Promise<CartRecord | undefined> {
  const [row] = await tx.execute<Row[]>(`SELECT ${CART_COLUMNS} FROM carts WHERE id = ? FOR UPDATE`, [
    cartId,
  ]);
  return row && toCart(row);
}

/** The owner's (newest) active cart, locked for the rest of the transaction. */
export async function lockActiveCartOf(tx: EntityManager, owner: CartOwner): Promise<CartRecord | undefined> {
  const { where, params } = activeOf(owner);
  const [row] = await tx.execute<Row[]>(
    `SELECT ${CART_COLUMNS} FROM carts WHERE ${where} ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
    params,
  );
  return row && toCart(row);
}

/** The owner's active carts, oldest first, locked (MergeCarts: a guest session's carts). */
export async function lockActiveCartsOf(tx: EntityManager, owner: CartOwner): Promise<CartRecord[]> {
  const { where, params } = activeOf(owner);
  const rows = await tx.execute<Row[]>(
    `SELECT ${CART_COLUMNS} FROM carts WHERE ${where} ORDER BY created_at, id FOR UPDATE`,
    params,
  );
  return rows.map(toCart);
}

/**
 * Inserts an active cart for the owner; the new row is the transaction's until it commits. For a
 * customer who already has an active cart (one per user, a partial unique index) it inserts
 * nothing and answers undefined: the caller then locks the existing one.
 */
export async function insertActiveCart(
  tx: EntityManager,
  owner: CartOwner,
  currency: string,
  expiresAt: Date,
): Promise<CartRecord | undefined> {
  const conflict = 'userId' in owner ? `ON CONFLICT (user_id) WHERE status = 'active' DO NOTHING` : '';
  const [row] = await tx.execute<Row[]>(
    `INSERT INTO carts (id, user_id, session_id, status, currency, expires_at)
     VALUES (?, ?, ?, 'active', ?, ?) ${conflict}
     RETURNING ${CART_COLUMNS}`,
    [
      newId(),
      'userId' in owner ? owner.userId : null,
      'sessionId' in owner ? owner.sessionId : null,
      currency,
      expiresAt,
    ],
  );
  return row && toCart(row);
}

/** The lines of a cart, in the order they were first added. */
export async function readLines(em: EntityManager, cartId: string): Promise<LineRecord[]> {
  const rows = await em.execute<Row[]>(
    `SELECT ${LINE_COLUMNS} FROM cart_items WHERE cart_id = ? ORDER BY created_at, id`,
    [cartId],
  );
  return rows.map(toLine);
}

/** A new line. */
export async function insertLine(
  tx: EntityManager,
  cart: CartRecord,
  snapshot: LineSnapshot,
  quantity: number,
): Promise<LineRecord> {
  const [row] = await tx.execute<Row[]>(
    `INSERT INTO cart_items (id, cart_id, product_id, variant_id, product_name, product_sku, product_image_url,
                             unit_price, currency, quantity)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     RETURNING ${LINE_COLUMNS}`,
    [
      newId(),
      cart.id,
      snapshot.productId,
      snapshot.variantId,
      snapshot.productName,
      snapshot.productSku,
      snapshot.productImageUrl,
      minorUnitsToDecimal(snapshot.unitPrice),
      cart.currency,
      quantity,
    ],
  );
  return toLine(row!);
}

/** A line's new quantity, and its fresh snapshot when it was checked against the catalog. */
export async function updateLine(
  tx: EntityManager,
  line: LineRecord,
  quantity: number,
  snapshot?: LineSnapshot,
): Promise<LineRecord> {
  const fresh = snapshot ?? line;
  const [row] = await tx.execute<Row[]>(
    `UPDATE cart_items SET quantity = ?, product_name = ?, product_sku = ?, product_image_url = ?, unit_price = ?,
            updated_at = now()
      WHERE id = ? RETURNING ${LINE_COLUMNS}`,
    [
      quantity,
      fresh.productName,
      fresh.productSku,
      fresh.productImageUrl,
      minorUnitsToDecimal(fresh.unitPrice),
      line.id,
    ],
  );
  return toLine(row!);
}

export async function deleteLine(tx: EntityManager, lineId: string): Promise<void> {
  await tx.execute('DELETE FROM cart_items WHERE id = ?', [lineId], 'run');
}

export async function deleteAllLines(tx: EntityManager, cartId: string): Promise<void> {
  await tx.execute('DELETE FROM cart_items WHERE cart_id = ?', [cartId], 'run');
}

/**
 * Writes the cart header after a change: its cached totals (docs/database/cart_db.md) from the given lines,
 * its coupon and currency, a new expiry and the next version. Returns the row as saved.
 */
export async function saveCart(
  tx: EntityManager,
  cart: CartRecord,
  lines: readonly LineRecord[],
  expiresAt: Date,
): Promise<CartRecord> {
  const subtotal = lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
  const units = lines.reduce((sum, line) => sum + line.quantity, 0);
  const [row] = await tx.execute<Row[]>(
    `UPDATE carts SET subtotal = ?, total_amount = greatest(? - discount_amount, 0), item_count = ?,
            coupon_code = ?, currency = ?, expires_at = ?, version = version + 1, updated_at = now()
      WHERE id = ? RETURNING ${CART_COLUMNS}`,
    [
      minorUnitsToDecimal(subtotal),
      minorUnitsToDecimal(subtotal),
      units,
      cart.couponCode,
      cart.currency,
      expiresAt,
      cart.id,
    ],
  );
  return toCart(row!);
}

/** Marks guest carts merged into a customer cart. */
export async function markMerged(
  tx: EntityManager,
  cartIds: readonly string[],
  intoCartId: string,
): Promise<void> {
  if (cartIds.length === 0) return;
  await tx.execute(
    `UPDATE carts SET status = 'merged', merged_into_cart_id = ?, version = version + 1, updated_at = now()
      WHERE id = ANY(?::uuid[]) AND status = 'active'`,
    [intoCartId, `{${cartIds.join(',')}}`],
    'run',
  );
}

/** The products on the lines of the owner's active carts (what a merge must ask the catalog about). */
export async function productIdsInActiveCarts(em: EntityManager, owner: CartOwner): Promise<string[]> {
  const { where, params } = activeOf(owner, 'c');
  const rows = await em.execute<{ product_id: string }[]>(
    `SELECT DISTINCT i.product_id FROM cart_items i JOIN carts c ON c.id = i.cart_id WHERE ${where}`,
    params,
  );
  return rows.map((row) => row.product_id);
}

/**
 * A new guest cart holding one line, with its totals, in one autocommitted statement: the first
 * add of a shopping session (the most frequent way a cart starts) costs one round trip instead of
 * a transaction of four. Nothing else can see or change the cart before the statement ends.
 */
export async function insertGuestCartWithLine(
  em: EntityManager,
  owner: { sessionId: string },
  snapshot: LineSnapshot,
  currency: string,
  quantity: number,
  expiresAt: Date,
): Promise<{ cart: CartRecord; line: LineRecord }> {
  const total = minorUnitsToDecimal(snapshot.unitPrice * quantity);
  // Prepared: a guest's first AddItem, the start of most checkouts.
  const [row] = await executePrepared<Row>(
    em,
    'cart:insert-guest-cart-with-line',
    `WITH cart AS (
       INSERT INTO carts (id, session_id, status, currency, subtotal, total_amount, item_count, expires_at)
       VALUES (?, ?, 'active', ?, ?, ?, ?, ?)
       RETURNING ${CART_COLUMNS}),
     line AS (
       INSERT INTO cart_items (id, cart_id, product_id, variant_id, product_name, product_sku, product_image_url,
                               unit_price, currency, quantity)
       SELECT ?, cart.id, ?, ?, ?, ?, ?, ?, ?, ? FROM cart
       RETURNING id, created_at)
     SELECT cart.*, line.id AS line_id, line.created_at AS line_created_at FROM cart, line`,
    [
      newId(),
      owner.sessionId,
      currency,
      total,
      total,
      quantity,
      expiresAt,
      newId(),
      snapshot.productId,
      snapshot.variantId,
      snapshot.productName,
      snapshot.productSku,
      snapshot.productImageUrl,
      minorUnitsToDecimal(snapshot.unitPrice),
      currency,
      quantity,
    ],
  );
  return {
    cart: toCart(row!),
    line: {
      ...snapshot,
      id: String(row!.line_id),
      quantity,
      createdAt: asDate(row!.line_created_at),
    },
  };
}
