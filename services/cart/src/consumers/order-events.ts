import { OrderConfirmed } from '../../../../gen/ecommerce/order/v1/events.js';
import { defineEvent } from '../../../../lib/events/index.js';

/** The order service's events this service consumes (subject and type are the order contract). */
export const OrderConfirmedEvent = defineEvent(
  'order.order.confirmed',
  'ecommerce.order.v1.OrderConfirmed',
  OrderConfirmed,
);
