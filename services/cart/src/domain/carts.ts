import type { EntityManager } from '@mikro-orm/postgresql';
import type { Cart as CartMessage } from '../../../../gen/ecommerce/cart/v1/cart.js';
import { failedPrecondition, invalidArgument, notFound } from '../../../../lib/errors.js';
import { minorUnitsToDecimal } from '../../../../lib/db/money-type.js';
import { isUuid, newId } from '../../../../lib/ids.js';
import type { Money } from '../../../../lib/money.js';
import { Cart } from '../entities/cart.js';
import type { Catalog } from './catalog.js';
import { owns, type CartOwner } from './cart-owner.js';
import { cartView } from './cart-view.js';

export const MAX_LINE_QUANTITY = 99;
const CART_TTL_DAYS = 30;

export interface AddItem {
  cartId: string;
  productId: string;
  variantId: string;
  quantity: number;
}

function requireUuid(value: string, field: string): string {
  if (value === '') throw invalidArgument(field, 'is required');
  if (!isUuid(value)) throw invalidArgument(field, 'must be a UUID');
  return value;
}

/** The owner's cart by id. Someone else's cart is NOT_FOUND: we do not confirm it exists. */
async function findOwnCart(em: EntityManager, owner: CartOwner, cartId: string): Promise<Cart> {
  const cart = await em.findOne(Cart, { id: requireUuid(cartId, 'cart_id') });
  if (!cart || !owns(owner, cart)) throw notFound('cart', cartId);
  return cart;
}

export async function getCart(em: EntityManager, owner: CartOwner, cartId: string): Promise<CartMessage> {
  return cartView(em, await findOwnCart(em, owner, cartId));
}

function expiry(): Date {
  return new Date(Date.now() + CART_TTL_DAYS * 24 * 3600 * 1000);
}

/**
 * The cart to add to when none is named, inside the caller's transaction: a customer's active cart
 * (at most one, a unique index says so), created if there is none; a guest always gets a new one.
 * Two first AddItems of one customer at once meet on that index: the second insert does nothing and
 * reads the cart the first one made.
 */
async function openCart(tx: EntityManager, owner: CartOwner, currency: string): Promise<Cart> {
  if ('userId' in owner) {
    const active = await tx.findOne(Cart, { userId: owner.userId, status: 'active' });
    if (active) return active;
  }
  const id = newId();
  await tx.execute(
    `INSERT INTO carts (id, user_id, session_id, status, currency, expires_at)
     VALUES (?, ?, ?, 'active', ?, ?)
     ON CONFLICT (user_id) WHERE status = 'active' DO NOTHING`,
    [
      id,
      'userId' in owner ? owner.userId : null,
      'sessionId' in owner ? owner.sessionId : null,
      currency,
      expiry(),
    ],
  );
  return 'userId' in owner
    ? tx.findOneOrFail(Cart, { userId: owner.userId, status: 'active' })
    : tx.findOneOrFail(Cart, { id });
}

/** Adds to (or starts) the line of a variant in one statement, so concurrent adds never lose one another. */
async function addToLine(
  tx: EntityManager,
  cartId: string,
  line: { productId: string; variantId: string; name: string; sku: string; price: Money; quantity: number },
): Promise<number> {
  const [row] = await tx.execute<{ quantity: number }[]>(
    `INSERT INTO cart_items (id, cart_id, product_id, variant_id, product_name, product_sku, unit_price, currency, quantity)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (cart_id, variant_id)
     DO UPDATE SET quantity = cart_items.quantity + excluded.quantity,
                   unit_price = excluded.unit_price, product_name = excluded.product_name,
                   product_sku = excluded.product_sku, updated_at = now()
     RETURNING quantity`,
    [
      newId(),
      cartId,
      line.productId,
      line.variantId,
      line.name,
      line.sku,
      minorUnitsToDecimal(line.price.amountMinor),
      line.price.currencyCode,
      line.quantity,
    ],
  );
  return row!.quantity;
}

/** Refreshes the cart's cached totals (DATABASES.md) from its lines, and pushes its expiry back. */
async function refreshTotals(tx: EntityManager, cartId: string): Promise<void> {
  await tx.execute(
    `UPDATE carts c
        SET subtotal = t.subtotal, total_amount = greatest(t.subtotal - c.discount_amount, 0),
            item_count = t.item_count, expires_at = ?, updated_at = now()
       FROM (SELECT coalesce(sum(unit_price * quantity), 0) AS subtotal, coalesce(sum(quantity), 0) AS item_count
               FROM cart_items WHERE cart_id = ?) t
      WHERE c.id = ?`,
    [expiry(), cartId, cartId],
  );
}

/**
 * Adds a quantity of a product variant, checked against the catalog (exists, published, the variant
 * is the product's, enough available) and snapshotting its name, SKU and price. Nothing is written
 * unless every check passes: a refused add leaves no cart and no line behind.
 */
export async function addItem(
  em: EntityManager,
  catalog: Catalog,
  owner: CartOwner,
  input: AddItem,
): Promise<CartMessage> {
  const productId = requireUuid(input.productId, 'product_id');
  const variantId = requireUuid(input.variantId, 'variant_id');
  if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > MAX_LINE_QUANTITY) {
    throw invalidArgument('quantity', `must be a whole number from 1 to ${MAX_LINE_QUANTITY}`);
  }
  const existing = input.cartId === '' ? undefined : await findOwnCart(em, owner, input.cartId);
  if (existing && existing.status !== 'active')
    throw failedPrecondition(`cart ${existing.id} is ${existing.status} and cannot change`);

  const product = await catalog.getProduct(productId);
  const variant = product.variants.find((v) => v.id === variantId);
  if (!variant) throw invalidArgument('variant_id', `is not a variant of product ${productId}`);
  const price = variant.price ?? product.price;
  if (!price) throw failedPrecondition(`product ${productId} has no price`);

  const cartId = await em.transactional(async (tx) => {
    const cart = existing ?? (await openCart(tx, owner, price.currencyCode));
    if (cart.currency !== price.currencyCode) {
      throw failedPrecondition(
        `cart is in ${cart.currency}; product ${productId} is priced in ${price.currencyCode}`,
      );
    }
    const quantity = await addToLine(tx, cart.id, {
      productId,
      variantId,
      name: product.name,
      sku: variant.sku,
      price,
      quantity: input.quantity,
    });
    if (quantity > MAX_LINE_QUANTITY) {
      throw failedPrecondition(
        `a cart line holds at most ${MAX_LINE_QUANTITY} units (this one would hold ${quantity})`,
      );
    }
    if (quantity > variant.availableQuantity) {
      throw failedPrecondition(
        `only ${variant.availableQuantity} of ${variant.sku} available (cart would hold ${quantity})`,
      );
    }
    await refreshTotals(tx, cart.id);
    return cart.id;
  });
  em.clear();
  return cartView(em, await em.findOneOrFail(Cart, { id: cartId }));
}
