import { failedPrecondition } from '../../../../lib/errors.js';
import type { CartStatus } from '../entities/cart.js';

/**
 * The allowed status changes, in one table: only an active cart moves, and every other status is
 * final. An abandoned cart is never revived (a new cart is opened instead), so a late reminder can
 * never resurrect a cart someone else has since converted or merged.
 */
const TRANSITIONS: Record<CartStatus, readonly CartStatus[]> = {
  active: ['merged', 'converted', 'abandoned'],
  merged: [],
  converted: [],
  abandoned: [],
};

export function canTransition(from: CartStatus, to: CartStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Refuses a change to a cart that is not active (merged, converted and abandoned carts are read-only). */
export function assertWritable(cart: { id: string; status: CartStatus }): void {
  if (cart.status === 'active') return;
  const hint =
    cart.status === 'abandoned' || cart.status === 'merged'
      ? '; add to a new cart (AddItem without cart_id)'
      : '';
  throw failedPrecondition(`cart ${cart.id} is ${cart.status} and cannot change${hint}`);
}
