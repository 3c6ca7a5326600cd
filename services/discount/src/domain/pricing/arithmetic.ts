/**
 * Exact integer arithmetic of minor units. Amounts are at most 999 999 999 999 and quantities
 * 100 000, so a product can pass 2^53: each helper computes in plain numbers while that is exact
 * and in BigInt beyond, with the same answer.
 */

/** ⌊a·b / c⌋ and the remainder a·b − c·⌊a·b / c⌋, for a, b ≥ 0 and c > 0 integers. */
export function mulDivFloor(a: number, b: number, c: number): { quotient: number; remainder: number } {
  const product = a * b;
  if (Number.isSafeInteger(product)) {
    let quotient = Math.floor(product / c);
    let remainder = product - quotient * c;
    // The float division may land one off when the product is large; the remainder says so.
    if (remainder < 0) {
      quotient -= 1;
      remainder += c;
    } else if (remainder >= c) {
      quotient += 1;
      remainder -= c;
    }
    return { quotient, remainder };
  }
  const big = BigInt(a) * BigInt(b);
  const divisor = BigInt(c);
  return { quotient: Number(big / divisor), remainder: Number(big % divisor) };
}

/** a·b / c rounded half-up (the platform's one rounding of a share or a percentage). */
export function mulDivHalfUp(a: number, b: number, c: number): number {
  const { quotient, remainder } = mulDivFloor(a, b, c);
  return 2 * remainder >= c ? quotient + 1 : quotient;
}

/** Basis points of one whole: 10000 = 100 %. */
export const WHOLE_BP = 10_000;

/** `bp` basis points of `amount`, half-up in minor units: 1000 bp of 1005 is 101 (100.5 rounded up). */
export function percentOf(amount: number, bp: number): number {
  return mulDivHalfUp(amount, bp, WHOLE_BP);
}

/** Compares a/b with c/d (b, d > 0) exactly: negative, 0 or positive. */
export function compareFractions(a: number, b: number, c: number, d: number): number {
  const left = a * d;
  const right = c * b;
  if (Number.isSafeInteger(left) && Number.isSafeInteger(right)) return left - right;
  const difference = BigInt(a) * BigInt(d) - BigInt(c) * BigInt(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}
