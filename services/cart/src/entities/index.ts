import { CartItem } from './cart-item.js';
import { Cart } from './cart.js';

export { Cart, CartItem };

export const cartEntities = [Cart, CartItem];
