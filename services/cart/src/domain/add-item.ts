import type { EntityManager } from '@mikro-orm/postgresql';
import { CartReason } from '../../../../lib/error-reasons.js';
import type { Cart as CartMessage } from '../../../../gen/ecommerce/cart/v1/cart.js';
import { failedPrecondition } from '../../../../lib/errors.js';
import { expiryFrom, type CartDeps } from './cart-deps.js';
import { requireOwn, type CartOwner } from './cart-owner.js';
import { assertWritable } from './cart-status.js';
import {
  findCart,
  insertActiveCart,
  insertGuestCartWithLine,
  insertLine,
  lockActiveCartOf,
  lockCart,
  readLines,
  saveCart,
  updateLine,
  type CartRecord,
} from './cart-store.js';
import { cartMessage } from './cart-view.js';
import { checkCartLimits, MAX_LINE_QUANTITY } from './limits.js';
import { requireAvailable, requireCurrency, requireOffer } from './offer.js';
import { Violations } from '../../../../lib/validation/index.js';

/**
 * The cart an AddItem without cart_id goes to, locked: a customer's active cart (created when there
 * is none; two first adds at once meet on the one-active-cart index and the loser locks the
 * winner's cart), or a new cart for a guest. `created`: the cart is new, so it has no lines yet.
 */
async function openCart(
  tx: EntityManager,
  owner: CartOwner,
  currency: string,
  expiresAt: Date,
): Promise<{ cart: CartRecord; created: boolean }> {
  if ('userId' in owner) {
    const existing = await lockActiveCartOf(tx, owner);
    if (existing) return { cart: existing, created: false };
  }
  const inserted = await insertActiveCart(tx, owner, currency, expiresAt);
  if (inserted) return { cart: inserted, created: true };
  return { cart: (await lockActiveCartOf(tx, owner))!, created: false };
}

export interface AddItem {
  cartId: string;
  productId: string;
  variantId: string;
  quantity: number;
}

/**
 * Adds a quantity of a product variant, checked against the catalog (exists, on sale, the variant
 * is the product's, enough available) and snapshotting its name, SKU and price. One catalog call
 * before the transaction; in it, the cart row is locked, so concurrent adds to one cart add up
 * exactly. Nothing is written unless every check passes: a refused add leaves no cart and no line.
 */
export async function addItem(
  em: EntityManager,
  deps: CartDeps,
  owner: CartOwner,
  input: AddItem,
): Promise<CartMessage> {
  const check = new Violations();
  check.optionalUuid('cart_id', input.cartId);
  check.uuid('product_id', input.productId);
  check.uuid('variant_id', input.variantId);
  check.wholeNumber('quantity', input.quantity, 1, MAX_LINE_QUANTITY);
  check.throwIfAny();

  // A cart the caller cannot use is refused before the catalog is asked (and while it is down).
  if (input.cartId !== '') {
    assertWritable(requireOwn(owner, await findCart(em, input.cartId), input.cartId));
  }
  const offer = requireOffer(await deps.catalog.getProduct(input.productId), input.variantId);

  if (input.cartId === '' && 'sessionId' in owner) {
    // A guest's first add: a new cart, so no other line and no limit but the stock can be in the way.
    requireAvailable(offer, input.quantity);
    checkCartLimits([{ quantity: input.quantity, unitPrice: offer.snapshot.unitPrice }]);
    const { cart, line } = await insertGuestCartWithLine(
      em,
      owner,
      offer.snapshot,
      offer.price.currencyCode,
      input.quantity,
      expiryFrom(deps.idleExpiryMs),
    );
    return cartMessage(cart, [line]);
  }

  return em.transactional(async (tx) => {
    const expiresAt = expiryFrom(deps.idleExpiryMs);
    const { cart, created } =
      input.cartId === ''
        ? await openCart(tx, owner, offer.price.currencyCode, expiresAt)
        : { cart: requireOwn(owner, await lockCart(tx, input.cartId), input.cartId), created: false };
    assertWritable(cart);
    const lines = created ? [] : await readLines(tx, cart.id);
    if (lines.length === 0) cart.currency = offer.price.currencyCode;
    requireCurrency(cart, offer);

    const existing = lines.find((line) => line.variantId === input.variantId);
    const quantity = (existing?.quantity ?? 0) + input.quantity;
    if (quantity > MAX_LINE_QUANTITY) {
      throw failedPrecondition(
        `a cart line holds at most ${MAX_LINE_QUANTITY} units (this one would hold ${quantity})`,
        CartReason.CART_LIMIT_EXCEEDED,
        { limit: String(MAX_LINE_QUANTITY) },
      );
    }
    requireAvailable(offer, quantity);
    checkCartLimits([
      ...lines.filter((line) => line !== existing),
      { quantity, unitPrice: offer.snapshot.unitPrice },
    ]);

    const line = existing
      ? await updateLine(tx, existing, quantity, offer.snapshot)
      : await insertLine(tx, cart, offer.snapshot, quantity);
    const after = existing ? lines.map((l) => (l === existing ? line : l)) : [...lines, line];
    return cartMessage(await saveCart(tx, cart, after, expiresAt), after);
  });
}
