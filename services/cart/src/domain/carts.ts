import type { EntityManager } from '@mikro-orm/postgresql';
import {
  CatalogCheck,
  type Cart as CartMessage,
  type GetCartResponse,
} from '../../../../gen/ecommerce/cart/v1/cart.js';
import { AppError, failedPrecondition, notFound } from '../../../../lib/errors.js';
import { status } from '@grpc/grpc-js';
import { changedLines } from './catalog-check.js';
import { isCatalogOutage, type Catalog } from './catalog.js';
import { owns, type CartOwner } from './cart-owner.js';
import { assertWritable } from './cart-status.js';
import {
  deleteAllLines,
  deleteLine,
  findCart,
  insertActiveCart,
  insertGuestCartWithLine,
  insertLine,
  lockActiveCartOf,
  lockCart,
  readCart,
  readLines,
  saveCart,
  updateLine,
  type CartRecord,
  type LineRecord,
} from './cart-store.js';
import { cartMessage } from './cart-view.js';
import { checkCartLimits, MAX_LINE_QUANTITY } from './limits.js';
import { requireAvailable, requireOffer, type Offer } from './offer.js';
import { RequestCheck } from './validation.js';

/** What the cart operations need besides a database: the catalog and the idle expiry. */
export interface CartDeps {
  catalog: Catalog;
  idleExpiryMs: number;
}

export function expiryFrom(idleExpiryMs: number): Date {
  return new Date(Date.now() + idleExpiryMs);
}

/** Someone else's cart is NOT_FOUND: we do not confirm it exists. */
function requireOwn<T extends { userId: string | null; sessionId: string | null }>(
  owner: CartOwner,
  cart: T | undefined,
  cartId: string,
): T {
  if (!cart || !owns(owner, cart)) throw notFound('cart', cartId);
  return cart;
}

/**
 * The cart (by id, or the caller's active one when cart_id is empty) and, for an active cart with
 * lines, the lines whose price or availability changed, from one catalog call. The product service
 * being unreachable does not fail the read: the snapshot is returned and the check says so.
 */
export async function getCart(
  em: EntityManager,
  catalog: Catalog,
  owner: CartOwner,
  cartId: string,
): Promise<GetCartResponse> {
  const check = new RequestCheck();
  check.optionalUuid(cartId, 'cart_id');
  check.done();
  const found = cartId === '' ? await readCart(em, { activeOf: owner }) : await readCart(em, { cartId });
  if (!found || !owns(owner, found.cart)) {
    throw cartId === '' ? notFound('active cart') : notFound('cart', cartId);
  }
  const cart = cartMessage(found.cart, found.lines);
  if (found.cart.status !== 'active' || found.lines.length === 0) {
    return { cart, catalogCheck: CatalogCheck.CATALOG_CHECK_NOT_NEEDED, changedLines: [] };
  }
  let products;
  try {
    products = await catalog.getProducts([...new Set(found.lines.map((line) => line.productId))]);
  } catch (error) {
    if (!isCatalogOutage(error)) throw error;
    return { cart, catalogCheck: CatalogCheck.CATALOG_CHECK_UNAVAILABLE, changedLines: [] };
  }
  return {
    cart,
    catalogCheck: CatalogCheck.CATALOG_CHECK_DONE,
    changedLines: changedLines(found.cart.currency, found.lines, products),
  };
}

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

function requireCurrency(cart: CartRecord, offer: Offer): void {
  if (offer.price.currencyCode !== cart.currency) {
    throw failedPrecondition(
      `cart is in ${cart.currency}; product ${offer.snapshot.productId} is priced in ${offer.price.currencyCode}`,
    );
  }
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
  const check = new RequestCheck();
  check.optionalUuid(input.cartId, 'cart_id');
  check.uuid(input.productId, 'product_id');
  check.uuid(input.variantId, 'variant_id');
  check.quantity(input.quantity, 'quantity', 1, MAX_LINE_QUANTITY);
  check.done();

  // A cart the caller cannot use is refused before the catalog is asked (and while it is down).
  if (input.cartId !== '') {
    assertWritable(requireOwn(owner, await findCart(em, input.cartId), input.cartId));
  }
  const offer = requireOffer(await deps.catalog.getProduct(input.productId), input.variantId);

  if (input.cartId === '' && 'sessionId' in owner) {
    // A guest's first add: a new cart, so no other line and no limit but the stock can be in the way.
    requireAvailable(offer, input.quantity);
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
      );
    }
    requireAvailable(offer, quantity);
    checkCartLimits([...lines.filter((line) => line !== existing), { quantity }]);

    const line = existing
      ? await updateLine(tx, existing, quantity, offer.snapshot)
      : await insertLine(tx, cart, offer.snapshot, quantity);
    const after = existing ? lines.map((l) => (l === existing ? line : l)) : [...lines, line];
    return cartMessage(await saveCart(tx, cart, after, expiresAt), after);
  });
}

/**
 * Runs a change of one of the owner's carts in a transaction: the cart is locked, must be the
 * owner's and active; `change` returns its lines afterwards, and the header (totals, coupon,
 * expiry) is saved from them.
 */
async function changeCart(
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

function requireLine(lines: readonly LineRecord[], itemId: string): LineRecord {
  const line = lines.find((l) => l.id === itemId);
  if (!line) throw notFound('cart item', itemId);
  return line;
}

/** The catalog's offer for a line being raised; a product gone from the catalog is a state problem here. */
async function offerForLine(catalog: Catalog, line: LineRecord): Promise<Offer> {
  try {
    return requireOffer(await catalog.getProduct(line.productId), line.variantId);
  } catch (error) {
    if (
      error instanceof AppError &&
      (error.code === status.NOT_FOUND || error.code === status.INVALID_ARGUMENT)
    ) {
      throw failedPrecondition(`product ${line.productId} variant ${line.variantId} can no longer be bought`);
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
  const check = new RequestCheck();
  check.uuid(input.cartId, 'cart_id');
  check.uuid(input.itemId, 'item_id');
  check.quantity(input.quantity, 'quantity', 0, MAX_LINE_QUANTITY);
  check.done();

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
    checkCartLimits(lines.map((l) => (l === line ? { quantity: input.quantity } : l)));
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
  const check = new RequestCheck();
  check.uuid(input.cartId, 'cart_id');
  check.uuid(input.itemId, 'item_id');
  check.done();
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
  const check = new RequestCheck();
  check.uuid(cartId, 'cart_id');
  check.done();
  return changeCart(em, deps.idleExpiryMs, owner, cartId, async (tx, cart) => {
    await deleteAllLines(tx, cart.id);
    return [];
  });
}

const COUPON_CODE = /^[A-Za-z0-9_-]{3,32}$/;

/** Stores a coupon code (format only: the discount service validates it at checkout), replacing any. */
export async function applyCoupon(
  em: EntityManager,
  deps: CartDeps,
  owner: CartOwner,
  input: { cartId: string; couponCode: string },
): Promise<CartMessage> {
  const check = new RequestCheck();
  check.uuid(input.cartId, 'cart_id');
  const code = input.couponCode.trim();
  if (code === '') check.add('coupon_code', 'is required');
  else if (!COUPON_CODE.test(code))
    check.add('coupon_code', 'must be 3-32 characters of letters, digits, _ or -');
  check.done();
  return changeCart(em, deps.idleExpiryMs, owner, input.cartId, async (_tx, cart, lines) => {
    cart.couponCode = code.toUpperCase();
    return lines;
  });
}

export async function removeCoupon(
  em: EntityManager,
  deps: CartDeps,
  owner: CartOwner,
  cartId: string,
): Promise<CartMessage> {
  const check = new RequestCheck();
  check.uuid(cartId, 'cart_id');
  check.done();
  return changeCart(em, deps.idleExpiryMs, owner, cartId, async (_tx, cart, lines) => {
    cart.couponCode = null;
    return lines;
  });
}
