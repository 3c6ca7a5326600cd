import { OrderDelivered } from '../../../gen/ecommerce/order/v1/events.js';
import {
  InventoryLowStock,
  ProductArchived,
  ProductCreated,
  ProductUpdated,
} from '../../../gen/ecommerce/product/v1/events.js';
import { defineEvent } from '../../../lib/events/index.js';

export const ProductCreatedEvent = defineEvent(
  'product.product.created',
  'ecommerce.product.v1.ProductCreated',
  ProductCreated,
);
export const ProductUpdatedEvent = defineEvent(
  'product.product.updated',
  'ecommerce.product.v1.ProductUpdated',
  ProductUpdated,
);
export const ProductArchivedEvent = defineEvent(
  'product.product.archived',
  'ecommerce.product.v1.ProductArchived',
  ProductArchived,
);
export const InventoryLowStockEvent = defineEvent(
  'product.inventory.low_stock',
  'ecommerce.product.v1.InventoryLowStock',
  InventoryLowStock,
);

/** Consumed: the order service's delivery event makes reviews verified purchases. */
export const OrderDeliveredEvent = defineEvent(
  'order.order.delivered',
  'ecommerce.order.v1.OrderDelivered',
  OrderDelivered,
);
