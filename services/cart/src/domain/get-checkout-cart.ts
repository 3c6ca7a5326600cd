import type { EntityManager } from '@mikro-orm/postgresql';
import type { CheckoutCart } from '../../../../gen/ecommerce/cart/v1/cart.js';
import { Violations } from '../../../../lib/validation/index.js';
import { requireOwn, sessionIdFault, type CartOwner } from './cart-owner.js';
import { readCart } from './cart-store.js';
import { cartStatusMessage } from './cart-view.js';

/** The owner a GetCheckoutCart request names: a customer by user id, or a guest by session id. */
export type CheckoutOwner = { $case: 'userId'; value: string } | { $case: 'sessionId'; value: string };

/** The owner, or undefined with the violation added. */
function ownerFrom(owner: CheckoutOwner | undefined, check: Violations): CartOwner | undefined {
  if (!owner) {
    check.add('owner', 'is required: the user_id of a customer or the session_id of a guest');
    return undefined;
  }
  if (owner.$case === 'userId') return { userId: check.uuid('user_id', owner.value) };
  const fault = sessionIdFault(owner.value);
  if (fault) check.add('session_id', fault);
  return { sessionId: owner.value };
}

/**
 * One cart as the checkout reads it, for the owner the checkout acts for; someone else's cart is
 * NOT_FOUND, as on every cart RPC. Whatever the cart's status, it is answered: the checkout
 * decides what a cart that is not active means. One query, no catalog: the lines are the stored
 * snapshots.
 */
export async function getCheckoutCart(
  em: EntityManager,
  input: { cartId: string; owner: CheckoutOwner | undefined },
): Promise<CheckoutCart> {
  const check = new Violations();
  const cartId = check.uuid('cart_id', input.cartId);
  const owner = ownerFrom(input.owner, check);
  check.throwIfAny();
  const found = await readCart(em, { cartId });
  const cart = requireOwn(owner!, found?.cart, cartId);
  const currencyCode = cart.currency;
  return {
    id: cart.id,
    userId: cart.userId ?? '',
    status: cartStatusMessage(cart.status),
    currencyCode,
    couponCode: cart.couponCode ?? '',
    version: cart.version,
    lines: found!.lines.map((line) => ({
      itemId: line.id,
      productId: line.productId,
      variantId: line.variantId,
      quantity: line.quantity,
      unitPrice: { currencyCode, amountMinor: line.unitPrice },
      productName: line.productName,
      productSku: line.productSku,
    })),
  };
}
