import type { EntityManager } from '@mikro-orm/postgresql';
import { publishEvent, type EventType } from '../../../../lib/events/index.js';
import type { Product } from '../../../../gen/ecommerce/product/v1/product.js';
import { loadProductView, type ProductView } from './product-view.js';

/**
 * Reads the product as it now is (inside the transaction that changed it) and writes the event
 * carrying it to the outbox; returns the view for the RPC's answer.
 */
export async function announceProduct(
  em: EntityManager,
  event: EventType<{ product: Product | undefined }>,
  productId: string,
): Promise<ProductView> {
  const view = await loadProductView(em, { id: productId });
  if (!view) throw new Error(`product ${productId} vanished inside its own transaction`);
  const { published: _published, ...product } = view;
  await publishEvent(em, 'product', event, { product });
  return view;
}
