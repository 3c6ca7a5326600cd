import { ProductCreated, ProductUpdated } from '../../../gen/ecommerce/product/v1/events.js';
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
