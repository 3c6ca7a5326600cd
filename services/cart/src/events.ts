import { CartAbandoned, CartConverted } from '../../../gen/ecommerce/cart/v1/events.js';
import { defineEvent } from '../../../lib/events/index.js';

export const CartAbandonedEvent = defineEvent(
  'cart.cart.abandoned',
  'ecommerce.cart.v1.CartAbandoned',
  CartAbandoned,
);

export const CartConvertedEvent = defineEvent(
  'cart.cart.converted',
  'ecommerce.cart.v1.CartConverted',
  CartConverted,
);
