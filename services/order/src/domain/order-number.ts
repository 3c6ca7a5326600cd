import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../../../../lib/db/prepared-statement.js';

/**
 * Order numbers as people read them: "ORD-1000042-7", a number from the database sequence
 * `order_number_seq` (from 1000000; taking numbers never waits for another checkout, unlike a
 * counter row) and a Damm check digit, which catches every single mistyped digit and every swap of two
 * adjacent digits: a guest's typo is told apart from an unknown order before any query.
 */

/** The Damm algorithm's quasigroup of order 10 (a weakly totally anti-symmetric one). */
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
] as const;

/** The running Damm digit over a string of decimal digits (0 when a check digit is right). */
function dammOf(digits: string): number {
  let interim = 0;
  for (const char of digits) interim = DAMM[interim]![char.charCodeAt(0) - 48]!;
  return interim;
}

/** The Damm check digit of a string of decimal digits. */
export function dammCheckDigit(digits: string): number {
  if (!/^\d+$/.test(digits)) throw new RangeError(`not a string of digits: "${digits}"`);
  return dammOf(digits);
}

/** "ORD-<number>-<check digit>" of a sequence value. */
export function formatOrderNumber(sequenceValue: bigint | number): string {
  const digits = String(sequenceValue);
  return `ORD-${digits}-${dammCheckDigit(digits)}`;
}

// 7 to 18 digits: the sequence starts at 1000000 and a bigint has 19.
const SHAPE = /^ORD-([1-9]\d{6,17})-(\d)$/;

/** The way people may write a number: surrounding spaces and lower-case letters are forgiven. */
export function normalizedOrderNumber(text: string): string {
  return text.trim().toUpperCase();
}

/** Whether `text` (normalised) has the shape of an order number. */
export function hasOrderNumberShape(text: string): boolean {
  return SHAPE.test(text);
}

/** Whether `text` (normalised) is an order number: its shape, and its check digit right. */
export function isWellFormedOrderNumber(text: string): boolean {
  const match = SHAPE.exec(text);
  return match !== null && dammOf(`${match[1]!}${match[2]!}`) === 0;
}

/** Sequence values a process takes at once: one statement per this many orders, not per order. */
export const ORDER_NUMBER_BLOCK = 20;

/** The values this process has taken and not handed out yet, per database, smallest first. */
interface NumberPool {
  values: bigint[];
  refill: Promise<void> | undefined;
}
const pools = new WeakMap<object, NumberPool>();

/**
 * The next order number. Values are taken from the sequence `ORDER_NUMBER_BLOCK` at a time, in a
 * statement of their own (nextval is never rolled back), and handed out in rising order; those
 * left when the process stops are never used: numbers may skip, never repeat.
 */
export async function nextOrderNumber(em: EntityManager): Promise<string> {
  const driver = em.getDriver();
  const pool = pools.get(driver) ?? { values: [], refill: undefined };
  pools.set(driver, pool);
  while (pool.values.length === 0) {
    pool.refill ??= takeBlock(em, pool).finally(() => (pool.refill = undefined));
    await pool.refill;
  }
  return formatOrderNumber(pool.values.shift()!);
}

async function takeBlock(em: EntityManager, pool: NumberPool): Promise<void> {
  const rows = await executePrepared<{ value: string }>(
    em,
    'order:order-numbers',
    "SELECT nextval('order_number_seq')::text AS value FROM generate_series(1, ?::int)",
    [ORDER_NUMBER_BLOCK],
  );
  const values = rows.map((row) => BigInt(row.value)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  pool.values.push(...values);
}
