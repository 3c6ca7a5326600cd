import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Order numbers as people read them: "ORD-1000042-7", a number from the database sequence
 * `order_number_seq` (from 1000000; taking one never waits for another checkout, unlike a counter
 * row) and a Damm check digit, which catches every single mistyped digit and every swap of two
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

/** The next order number (its own statement: nextval is never rolled back, numbers may skip). */
export async function nextOrderNumber(em: EntityManager): Promise<string> {
  const [row] = await em.execute<{ value: string }[]>("SELECT nextval('order_number_seq')::text AS value");
  return formatOrderNumber(BigInt(row!.value));
}
