import { requireText, requireUuid } from '../../../../../lib/validation/index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../../../../lib/errors.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
} from '../../../../../lib/idempotency/idempotency-keys.js';
import { newId } from '../../../../../lib/ids.js';
import { DEFAULT_LOCATION } from './locations.js';
import { inVariantOrder, requireStockLines, type StockLineInput } from './stock-lines.js';
import { forget } from './known-stock.js';
import { lockProducts, settleStockStatus } from './stock-status.js';

interface RestockRecord {
  lines: StockLineInput[];
  reason: string;
}

/**
 * Puts units back on hand at the default location (a return received, a shipment cancelled), once
 * per restock id (an order id or a return id; lib/idempotency, scope `restock`): a repeat adds
 * nothing, the same id with other lines is FAILED_PRECONDITION. The products' stock status
 * follows in the same transaction (`lowStockThreshold`: of new stock rows, and the products').
 */
export async function restock(
  em: EntityManager,
  input: { restockId: string; lines: readonly StockLineInput[]; reason: string },
  lowStockThreshold: number,
): Promise<{ restockedNow: boolean; productIds: string[] }> {
  const restockId = requireUuid('restock_id', input.restockId);
  const original = requireStockLines(input.lines);
  const reason = requireText('reason', input.reason, 500);
  const lines = inVariantOrder(original);
  const keyed = { scope: 'restock', key: restockId, request: lines };

  const restocked = await em.transactional(async (tx) => {
    // A repeat answers "not now" rather than the first answer: that call did the restocking.
    if ((await claimIdempotencyKey(tx, keyed)).state === 'completed') {
      return { restockedNow: false, productIds: [] };
    }
    const variants = await tx.execute<{ id: string; product_id: string }[]>(
      'SELECT id, product_id FROM product_variants WHERE id = ANY(?::uuid[])',
      [`{${lines.map((line) => line.variantId).join(',')}}`],
    );
    const productOf = new Map(variants.map((row) => [row.id, row.product_id]));
    const missing = original.findIndex((line) => !productOf.has(line.variantId));
    if (missing >= 0) throw notFound('variant', `${original[missing]!.variantId} (lines[${missing}])`);
    // Products first, then rows upserted in variant order: the lock order of every stock change.
    const productIds = [...new Set(productOf.values())];
    await lockProducts(tx, productIds);
    for (const line of lines) {
      await tx.execute(
        `INSERT INTO inventory (id, product_id, variant_id, location, quantity, low_stock_threshold, last_restocked_at)
         VALUES (?, ?, ?, ?, ?, ?, now())
         ON CONFLICT (variant_id, location) DO UPDATE
           SET quantity = inventory.quantity + excluded.quantity, last_restocked_at = now(), updated_at = now()`,
        [
          newId(),
          productOf.get(line.variantId),
          line.variantId,
          DEFAULT_LOCATION,
          line.quantity,
          lowStockThreshold,
        ],
        'run',
      );
    }
    await settleStockStatus(tx, productIds, lowStockThreshold);
    const record: RestockRecord = { lines, reason };
    await completeIdempotencyKey(tx, keyed.scope, keyed.key, record);
    return { restockedNow: true, productIds };
  });
  forget(lines.map((line) => line.variantId));
  return restocked;
}
