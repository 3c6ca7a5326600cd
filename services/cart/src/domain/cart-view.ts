import type { EntityManager } from '@mikro-orm/postgresql';
import { CartStatus, type Cart as CartMessage } from '../../../../gen/ecommerce/cart/v1/cart.js';
import { Cart } from '../entities/cart.js';
import { CartItem } from '../entities/cart-item.js';

const STATUS: Record<string, CartStatus> = {
  active: CartStatus.CART_STATUS_ACTIVE,
  converted: CartStatus.CART_STATUS_CONVERTED,
  abandoned: CartStatus.CART_STATUS_ABANDONED,
};

/** The cart as callers see it: its lines in the order they were added, and the subtotal. */
export async function cartView(em: EntityManager, cart: Cart): Promise<CartMessage> {
  const items = await em.find(CartItem, { cart: cart.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const currencyCode = cart.currency;
  const subtotal = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);
  return {
    id: cart.id,
    userId: cart.userId ?? '',
    sessionId: cart.sessionId ?? '',
    status: STATUS[cart.status] ?? CartStatus.CART_STATUS_UNSPECIFIED,
    currencyCode,
    items: items.map((item) => ({
      id: item.id,
      productId: item.productId,
      variantId: item.variantId,
      productName: item.productName,
      productSku: item.productSku,
      unitPrice: { currencyCode, amountMinor: item.unitPrice },
      quantity: item.quantity,
      lineTotal: { currencyCode, amountMinor: item.unitPrice * item.quantity },
    })),
    subtotal: { currencyCode, amountMinor: subtotal },
    createdAt: cart.createdAt,
    updatedAt: cart.updatedAt,
  };
}
