import { requireUuid } from '../../../../lib/validation/index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { failedPrecondition, notFound } from '../../../../lib/errors.js';
import type { ProductStatus } from '../entities/product.js';
import { ProductArchivedEvent, ProductUpdatedEvent } from '../../../../lib/events/catalog.js';
import { announceProduct } from './announce.js';
import { loadProductView, type ProductView } from './product-view.js';

/** The allowed status changes of a product: the one place that knows them. */
const TRANSITIONS: Record<ProductStatus, readonly ProductStatus[]> = {
  draft: ['active', 'archived'],
  active: ['archived'],
  archived: ['active'],
};

/**
 * Moves a product to `target` (publish: active; archive: archived) and emits the matching event; a
 * product already there is answered as it is, with no event (the RPCs are idempotent).
 */
export async function changeProductStatus(
  em: EntityManager,
  input: { productId: string },
  target: 'active' | 'archived',
): Promise<{ view: ProductView; changed: boolean }> {
  const productId = requireUuid('product_id', input.productId);
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<{ status: ProductStatus }[]>(
      'SELECT status FROM products WHERE id = ? FOR UPDATE',
      [productId],
    );
    if (!row) throw notFound('product', productId);
    if (row.status === target)
      return { view: (await loadProductView(tx, { id: productId }))!, changed: false };
    if (!TRANSITIONS[row.status].includes(target)) {
      throw failedPrecondition(`a ${row.status} product cannot become ${target}`);
    }
    await tx.execute(
      `UPDATE products SET status = ?, updated_at = now(),
              published_at = CASE WHEN ? = 'active' THEN COALESCE(published_at, now()) ELSE published_at END
        WHERE id = ?`,
      [target, target, productId],
      'run',
    );
    const event = target === 'archived' ? ProductArchivedEvent : ProductUpdatedEvent;
    return { view: await announceProduct(tx, event, productId), changed: true };
  });
}
