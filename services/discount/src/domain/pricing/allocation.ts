import { mulDivFloor } from './arithmetic.js';

/**
 * Splits `total` minor units over lines in proportion to `weights` by largest remainder: each line
 * gets ⌊total·weight / Σweights⌋, and the units left over go one each to the largest remainders,
 * ties to the earlier position. The shares sum to `total` exactly, and none exceeds its weight
 * when total ≤ Σweights (a share rounded up was below its weight before). The caller passes the
 * lines in their stable order (by line id), so the answer never depends on the request's order.
 */
export function allocateByLargestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((acc, weight) => acc + weight, 0);
  if (total === 0) return weights.map(() => 0);
  if (sum === 0 || total > sum)
    throw new RangeError(`cannot allocate ${total} over weights summing to ${sum}`);
  const parts = weights.map((weight, position) => ({ position, ...mulDivFloor(total, weight, sum) }));
  let left = total - parts.reduce((acc, part) => acc + part.quotient, 0);
  const shares = parts.map((part) => part.quotient);
  const byRemainder = [...parts].sort((a, b) => b.remainder - a.remainder || a.position - b.position);
  for (const part of byRemainder) {
    if (left === 0) break;
    if (part.remainder === 0) break;
    shares[part.position]! += 1;
    left -= 1;
  }
  return shares;
}
