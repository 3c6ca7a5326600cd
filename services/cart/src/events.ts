import { CartAbandoned } from '../../../gen/ecommerce/cart/v1/events.js';
import { defineEvent } from '../../../lib/events/index.js';

export const CartAbandonedEvent = defineEvent(
  'cart.cart.abandoned',
  'ecommerce.cart.v1.CartAbandoned',
  CartAbandoned,
);
