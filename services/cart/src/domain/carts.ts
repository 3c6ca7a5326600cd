import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { Cart as CartMessage } from '../../../../gen/ecommerce/cart/v1/cart.js';
import { failedPrecondition, invalidArgument, notFound } from '../../../../lib/errors.js';
import { isUuid, newId } from '../../../../lib/ids.js';
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
 * A customer has at most one active cart (a unique index says so): adding without a cart id adds
 * to it, creating it if there is none. A guest without a cart id gets a new cart.
 */
async function openCart(em: EntityManager, owner: CartOwner, currency: string): Promise<Cart> {
  if ('userId' in owner) {
    const active = await em.findOne(Cart, { userId: owner.userId, status: 'active' });
    if (active) return active;
  }
  try {
    const cart = em.create(Cart, { ...owner, status: 'active', currency, expiresAt: expiry() });
    await em.flush();
    return cart;
  } catch (error) {
    // Two first AddItems of one customer at once: the other one created the cart; use it.
    if (error instanceof UniqueConstraintViolationException && 'userId' in owner) {
      em.clear();
      return em.findOneOrFail(Cart, { userId: owner.userId, status: 'active' });
    }
    throw error;
  }
}

/**
 * Adds a quantity of a product variant, checked against the catalog (exists, published, the variant
 * is the product's, enough available) and snapshotting its name, SKU and price. Adding a variant
 * already in the cart adds to its line, atomically, so concurrent adds never lose one another.
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

  const cart = existing ?? (await openCart(em, owner, price.currencyCode));
  if (cart.currency !== price.currencyCode) {
    throw failedPrecondition(
      `cart is in ${cart.currency}; product ${productId} is priced in ${price.currencyCode}`,
    );
  }

  await em.transactional(async (tx) => {
    const [line] = await tx.execute<{ quantity: number }[]>(
      `INSERT INTO cart_items (id, cart_id, product_id, variant_id, product_name, product_sku, unit_price, currency, quantity, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?::numeric / 100, ?, ?, now(), now())
       ON CONFLICT (cart_id, variant_id)
       DO UPDATE SET quantity = cart_items.quantity + excluded.quantity,
                     unit_price = excluded.unit_price, product_name = excluded.product_name,
                     product_sku = excluded.product_sku, updated_at = now()
       RETURNING quantity`,
      [
        newId(),
        cart.id,
        productId,
        variantId,
        product.name,
        variant.sku,
        price.amountMinor,
        price.currencyCode,
        input.quantity,
      ],
    );
    const quantity = line?.quantity ?? input.quantity;
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
    await tx.nativeUpdate(Cart, { id: cart.id }, { updatedAt: new Date(), expiresAt: expiry() });
  });
  em.clear();
  return cartView(em, await em.findOneOrFail(Cart, { id: cart.id }));
}
