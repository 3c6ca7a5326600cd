import { failedPrecondition } from '../../../../lib/errors.js';
import { CartReason } from '../../../../lib/error-reasons.js';
import type { CartStatus } from '../entities/cart.js';

/**
 * The allowed status changes, in one table. An abandoned cart is never revived (a new cart is
 * opened instead), so a late reminder can never resurrect a cart that was merged or converted
 * since; but an order placed from it just before it expired still converts it. Merged and converted
 * are final.
 */
const TRANSITIONS: Record<CartStatus, readonly CartStatus[]> = {
  active: ['merged', 'converted', 'abandoned'],
  merged: [],
  converted: [],
  abandoned: ['converted'],
};

export function canTransition(from: CartStatus, to: CartStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Every status a cart may change to `to` from (for a statement that checks the status itself). */
export function statusesBefore(to: CartStatus): CartStatus[] {
  return (Object.keys(TRANSITIONS) as CartStatus[]).filter((from) => canTransition(from, to));
}

/** Refuses a change to a cart that is not active (merged, converted and abandoned carts are read-only). */
export function assertWritable(cart: { id: string; status: CartStatus }): void {
  if (cart.status === 'active') return;
  const hint =
    cart.status === 'abandoned' || cart.status === 'merged'
      ? '; add to a new cart (AddItem without cart_id)'
      : '';
  throw failedPrecondition(
    `cart ${cart.id} is ${cart.status} and cannot change${hint}`,
    CartReason.CART_NOT_ACTIVE,
    {
      cart_id: cart.id,
      status: cart.status,
    },
  );
}
