import { OrderItem } from './order-item.js';
import { OrderNote } from './order-note.js';
import { OrderStatusHistory } from './order-status-history.js';
import { Order } from './order.js';
import { ShippingAddress } from './shipping-address.js';

export { Order, OrderItem, OrderNote, OrderStatusHistory, ShippingAddress };

export const orderEntities = [Order, OrderItem, OrderStatusHistory, ShippingAddress, OrderNote];
