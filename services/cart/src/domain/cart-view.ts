import { CartStatus, type Cart as CartMessage } from '../../../../gen/ecommerce/cart/v1/cart.js';
import type { CartStatus as StoredStatus } from '../entities/cart.js';
import type { CartRecord, LineRecord } from './cart-store.js';

const STATUS: Record<StoredStatus, CartStatus> = {
  active: CartStatus.CART_STATUS_ACTIVE,
  merged: CartStatus.CART_STATUS_MERGED,
  converted: CartStatus.CART_STATUS_CONVERTED,
  abandoned: CartStatus.CART_STATUS_ABANDONED,
};

export function cartStatusMessage(status: StoredStatus): CartStatus {
  return STATUS[status] ?? CartStatus.CART_STATUS_UNSPECIFIED;
}

/** The cart as callers see it: its lines in the order they were added, and the totals. */
export function cartMessage(cart: CartRecord, lines: readonly LineRecord[]): CartMessage {
  const currencyCode = cart.currency;
  const subtotal = lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
  return {
    id: cart.id,
    userId: cart.userId ?? '',
    sessionId: cart.sessionId ?? '',
    status: cartStatusMessage(cart.status),
    currencyCode,
    items: lines.map((line) => ({
      id: line.id,
      productId: line.productId,
      variantId: line.variantId,
      productName: line.productName,
      productSku: line.productSku,
      unitPrice: { currencyCode, amountMinor: line.unitPrice },
      quantity: line.quantity,
      lineTotal: { currencyCode, amountMinor: line.unitPrice * line.quantity },
      productImageUrl: line.productImageUrl ?? '',
    })),
    subtotal: { currencyCode, amountMinor: subtotal },
    createdAt: cart.createdAt,
    updatedAt: cart.updatedAt,
    couponCode: cart.couponCode ?? '',
    itemCount: lines.reduce((sum, line) => sum + line.quantity, 0),
    expiresAt: cart.status === 'active' ? (cart.expiresAt ?? undefined) : undefined,
    mergedIntoCartId: cart.mergedIntoCartId ?? '',
  };
}
