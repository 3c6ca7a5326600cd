import { status } from '@grpc/grpc-js';
import { CartReason } from '../../../../lib/error-reasons.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Cart as CartMessage } from '../../../../gen/ecommerce/cart/v1/cart.js';
import { AppError, failedPrecondition } from '../../../../lib/errors.js';
import type { Catalog } from './catalog.js';
import type { CartDeps } from './cart-deps.js';
import { requireOwn, type CartOwner } from './cart-owner.js';
import { assertWritable } from './cart-status.js';
import { deleteAllLines, deleteLine, readCart, updateLine, type LineRecord } from './cart-store.js';
import { changeCart, requireLine } from './change-cart.js';
import { checkCartLimits, MAX_LINE_QUANTITY } from './limits.js';
import { requireAvailable, requireCurrency, requireOffer, type Offer } from './offer.js';
import { Violations } from '../../../../lib/validation/index.js';

/** The catalog's offer for a line being raised; a product gone from the catalog is a state problem here. */
async function offerForLine(catalog: Catalog, line: LineRecord): Promise<Offer> {
  try {
    return requireOffer(await catalog.getProduct(line.productId), line.variantId);
  } catch (error) {
    if (
      error instanceof AppError &&
      (error.code === status.NOT_FOUND || error.code === status.INVALID_ARGUMENT)
    ) {
      throw failedPrecondition(
        `product ${line.productId} variant ${line.variantId} can no longer be bought`,
        CartReason.NO_LONGER_AVAILABLE,
        { product_id: line.productId, variant_id: line.variantId },
      );
    }
    throw error;
  }
}

export interface UpdateItemQuantity {
  cartId: string;
  itemId: string;
  quantity: number;
}

/**
 * Sets a line's quantity; 0 removes it. Raising it asks the catalog (stock, still on sale) and
 * refreshes the snapshot; lowering it does not need the catalog.
 */
export async function updateItemQuantity(
  em: EntityManager,
  deps: CartDeps,
  owner: CartOwner,
  input: UpdateItemQuantity,
): Promise<CartMessage> {
  const check = new Violations();
  check.uuid('cart_id', input.cartId);
  check.uuid('item_id', input.itemId);
  check.wholeNumber('quantity', input.quantity, 0, MAX_LINE_QUANTITY);
  check.throwIfAny();

  const found = await readCart(em, { cartId: input.cartId });
  assertWritable(requireOwn(owner, found?.cart, input.cartId));
  const before = requireLine(found!.lines, input.itemId);
  // Only a raise needs the catalog. Should a concurrent change lower the line before our lock, the
  // quantity set here is still one the line held a moment ago, when it was checked.
  const offer = input.quantity > before.quantity ? await offerForLine(deps.catalog, before) : undefined;

  return changeCart(em, deps.idleExpiryMs, owner, input.cartId, async (tx, cart, lines) => {
    const line = requireLine(lines, input.itemId);
    if (input.quantity === 0) {
      await deleteLine(tx, line.id);
      return lines.filter((l) => l !== line);
    }
    if (offer) {
      requireCurrency(cart, offer);
      requireAvailable(offer, input.quantity);
    }
    checkCartLimits(
      lines.map((l) =>
        l === line ? { quantity: input.quantity, unitPrice: offer?.snapshot.unitPrice ?? l.unitPrice } : l,
      ),
    );
    const updated = await updateLine(tx, line, input.quantity, offer?.snapshot);
    return lines.map((l) => (l === line ? updated : l));
  });
}

export async function removeItem(
  em: EntityManager,
  deps: CartDeps,
  owner: CartOwner,
  input: { cartId: string; itemId: string },
): Promise<CartMessage> {
  const check = new Violations();
  check.uuid('cart_id', input.cartId);
  check.uuid('item_id', input.itemId);
  check.throwIfAny();
  return changeCart(em, deps.idleExpiryMs, owner, input.cartId, async (tx, _cart, lines) => {
    const line = requireLine(lines, input.itemId);
    await deleteLine(tx, line.id);
    return lines.filter((l) => l !== line);
  });
}

/** Removes every line; the coupon stays. */
export async function clearCart(
  em: EntityManager,
  deps: CartDeps,
  owner: CartOwner,
  cartId: string,
): Promise<CartMessage> {
  const check = new Violations();
  check.uuid('cart_id', cartId);
  check.throwIfAny();
  return changeCart(em, deps.idleExpiryMs, owner, cartId, async (tx, cart) => {
    await deleteAllLines(tx, cart.id);
    return [];
  });
}
