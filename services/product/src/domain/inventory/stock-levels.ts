import { requireUuid } from '../../../../../lib/validation/index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../../../../lib/errors.js';

export interface StockLevel {
  location: string;
  quantity: number;
  reservedQuantity: number;
  availableQuantity: number;
  lowStockThreshold: number;
}

export interface StockLevelRow {
  location: string;
  quantity: number;
  reserved_quantity: number;
  available_quantity: number;
  low_stock_threshold: number;
}

export const STOCK_LEVEL_COLUMNS =
  'location, quantity, reserved_quantity, available_quantity, low_stock_threshold';

export function stockLevelOf(row: StockLevelRow): StockLevel {
  return {
    location: row.location,
    quantity: row.quantity,
    reservedQuantity: row.reserved_quantity,
    availableQuantity: row.available_quantity,
    lowStockThreshold: row.low_stock_threshold,
  };
}

/** Every location of a variant, by name. */
export async function getStock(
  em: EntityManager,
  input: { variantId: string },
): Promise<{ productId: string; levels: StockLevel[] }> {
  const variantId = requireUuid('variant_id', input.variantId);
  const [variant] = await em.execute<{ product_id: string }[]>(
    'SELECT product_id FROM product_variants WHERE id = ?',
    [variantId],
  );
  if (!variant) throw notFound('variant', variantId);
  const rows = await em.execute<StockLevelRow[]>(
    `SELECT ${STOCK_LEVEL_COLUMNS} FROM inventory WHERE variant_id = ? ORDER BY location`,
    [variantId],
  );
  return { productId: variant.product_id, levels: rows.map(stockLevelOf) };
}
