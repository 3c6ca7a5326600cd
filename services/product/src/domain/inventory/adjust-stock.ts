import { requireText, requireUuid } from '../../../../../lib/validation/index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProductReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition, invalidArgument, notFound } from '../../../../../lib/errors.js';
import { runOnce } from '../../../../../lib/idempotency/idempotency-keys.js';
import { newId } from '../../../../../lib/ids.js';
import { forget } from './known-stock.js';
import { requireLocation } from './locations.js';
import { announceLowStock } from './low-stock.js';
import { lockProducts, settleStockStatus } from './stock-status.js';
import { STOCK_LEVEL_COLUMNS, stockLevelOf, type StockLevel, type StockLevelRow } from './stock-levels.js';

export interface AdjustStockInput {
  variantId: string;
  location: string;
  delta: number;
  reason: string;
  lowStockThreshold?: number | undefined;
  idempotencyKey: string;
}

/** The stored answer of an adjustment: the request (with its reason), who made it, the result. */
interface AdjustmentRecord {
  variantId: string;
  location: string;
  delta: number;
  reason: string;
  lowStockThreshold: number | null;
  adjustedBy: string;
  productId: string;
  level: StockLevel;
}

export function requireThreshold(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 1_000_000) {
    throw invalidArgument(field, 'must be a whole number from 0 to 1000000');
  }
  return value;
}

/**
 * Changes the units on hand of a variant at a location, never below what is reserved there. The
 * reason and the editor are kept with the answer under the request's idempotency key
 * (lib/idempotency, scope `adjust-stock`). The
 * product's stock status follows in the same transaction (`defaultThreshold`, the configured
 * PRODUCT_LOW_STOCK_THRESHOLD, is also the product's low-stock threshold).
 */
export async function adjustStock(
  em: EntityManager,
  input: AdjustStockInput,
  adjustedBy: string,
  defaultThreshold: number,
): Promise<{ productId: string; level: StockLevel }> {
  const variantId = requireUuid('variant_id', input.variantId);
  const location = requireLocation(input.location, 'location');
  const delta = input.delta;
  if (!Number.isInteger(delta) || Math.abs(delta) > 1_000_000_000) {
    throw invalidArgument('delta', 'must be a whole number from -1000000000 to 1000000000');
  }
  const reason = requireText('reason', input.reason, 500);
  const threshold =
    input.lowStockThreshold === undefined
      ? null
      : requireThreshold(input.lowStockThreshold, 'low_stock_threshold');
  if (delta === 0 && threshold === null) {
    throw invalidArgument('delta', 'must not be 0 unless low_stock_threshold is set');
  }
  const key = requireText('idempotency_key', input.idempotencyKey, 200);
  const request = { variantId, location, delta, reason, lowStockThreshold: threshold };

  const record = await runOnce(em, { scope: 'adjust-stock', key, request }, async (tx) => {
    const [variant] = await tx.execute<{ product_id: string; sku: string }[]>(
      'SELECT product_id, sku FROM product_variants WHERE id = ?',
      [variantId],
    );
    if (!variant) throw notFound('variant', variantId);
    await lockProducts(tx, [variant.product_id]);

    let row: StockLevelRow | undefined;
    if (delta >= 0) {
      [row] = await tx.execute<StockLevelRow[]>(
        `INSERT INTO inventory (id, product_id, variant_id, location, quantity, low_stock_threshold, last_restocked_at)
         VALUES (?, ?, ?, ?, ?, ?, CASE WHEN ? > 0 THEN now() END)
         ON CONFLICT (variant_id, location) DO UPDATE
           SET quantity = inventory.quantity + excluded.quantity,
               low_stock_threshold = COALESCE(?, inventory.low_stock_threshold),
               last_restocked_at = CASE WHEN ? > 0 THEN now() ELSE inventory.last_restocked_at END,
               updated_at = now()
         RETURNING ${STOCK_LEVEL_COLUMNS}`,
        [
          newId(),
          variant.product_id,
          variantId,
          location,
          delta,
          threshold ?? defaultThreshold,
          delta,
          threshold,
          delta,
        ],
      );
    } else {
      [row] = await tx.execute<StockLevelRow[]>(
        `UPDATE inventory
            SET quantity = quantity + ?, low_stock_threshold = COALESCE(?, low_stock_threshold), updated_at = now()
          WHERE variant_id = ? AND location = ? AND quantity + ? >= reserved_quantity
          RETURNING ${STOCK_LEVEL_COLUMNS}`,
        [delta, threshold, variantId, location, delta],
      );
      if (!row) {
        const [current] = await tx.execute<StockLevelRow[]>(
          `SELECT ${STOCK_LEVEL_COLUMNS} FROM inventory WHERE variant_id = ? AND location = ?`,
          [variantId, location],
        );
        throw failedPrecondition(
          current
            ? `cannot remove ${-delta} units at ${location}: ${current.quantity} on hand, ${current.reserved_quantity} reserved`
            : `cannot remove ${-delta} units at ${location}: the variant has no stock there`,
          ProductReason.INSUFFICIENT_STOCK,
          {
            variant_id: variantId,
            location,
            on_hand: String(current?.quantity ?? 0),
            reserved: String(current?.reserved_quantity ?? 0),
          },
        );
      }
    }
    const level = stockLevelOf(row!);
    await settleStockStatus(tx, [variant.product_id], defaultThreshold);
    await announceLowStock(tx, [
      {
        productId: variant.product_id,
        variantId,
        sku: variant.sku,
        location,
        availableBefore: level.availableQuantity - delta,
        availableAfter: level.availableQuantity,
        lowStockThreshold: level.lowStockThreshold,
      },
    ]);
    const adjustment: AdjustmentRecord = { ...request, adjustedBy, productId: variant.product_id, level };
    return adjustment;
  });
  forget([variantId]);
  return { productId: record.productId, level: record.level };
}
