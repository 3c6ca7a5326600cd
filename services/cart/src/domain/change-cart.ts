import type { EntityManager } from '@mikro-orm/postgresql';
import type { Cart as CartMessage } from '../../../../gen/ecommerce/cart/v1/cart.js';
import { notFound } from '../../../../lib/errors.js';
import { expiryFrom } from './cart-deps.js';
import { requireOwn, type CartOwner } from './cart-owner.js';
import { assertWritable } from './cart-status.js';
import { lockCart, readLines, saveCart, type CartRecord, type LineRecord } from './cart-store.js';
import { cartMessage } from './cart-view.js';

/**
 * Runs a change of one of the owner's carts in a transaction: the cart is locked, must be the
 * owner's and active; `change` returns its lines afterwards, and the header (totals, coupon,
 * expiry) is saved from them.
 */
export async function changeCart(
  em: EntityManager,
  idleExpiryMs: number,
  owner: CartOwner,
  cartId: string,
  change: (tx: EntityManager, cart: CartRecord, lines: LineRecord[]) => Promise<LineRecord[]>,
): Promise<CartMessage> {
  return em.transactional(async (tx) => {
    const cart = requireOwn(owner, await lockCart(tx, cartId), cartId);
    assertWritable(cart);
    const after = await change(tx, cart, await readLines(tx, cart.id));
    return cartMessage(await saveCart(tx, cart, after, expiryFrom(idleExpiryMs)), after);
  });
}

export function requireLine(lines: readonly LineRecord[], itemId: string): LineRecord {
  const line = lines.find((l) => l.id === itemId);
  if (!line) throw notFound('cart item', itemId);
  return line;
}
