import { ProductUpdated } from '../../../../gen/ecommerce/product/v1/events.js';
import { defineEvent } from '../../../../lib/events/index.js';

/** The product service's event that refreshes wishlists (subject and type are the product contract). */
export const ProductUpdatedEvent = defineEvent(
  'product.product.updated',
  'ecommerce.product.v1.ProductUpdated',
  ProductUpdated,
);
