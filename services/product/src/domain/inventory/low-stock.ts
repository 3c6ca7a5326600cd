import type { EntityManager } from '@mikro-orm/postgresql';
import { publishEvent } from '../../../../../lib/events/index.js';
import { InventoryLowStockEvent } from '../../../../../lib/events/catalog.js';

/** A location's stock after a change, and what was available there before it. */
export interface StockChange {
  productId: string;
  variantId: string;
  sku: string;
  location: string;
  availableBefore: number;
  availableAfter: number;
  lowStockThreshold: number;
}

/**
 * Whether `available` units are low stock under `threshold`: at or below it. The one definition,
 * for a location (product.inventory.low_stock) and for a product (`products.stock_status`).
 */
export function isLowStock(available: number, threshold: number): boolean {
  return available <= threshold;
}

/**
 * Publishes product.inventory.low_stock for every change that crossed its threshold downwards
 * (above before, at or below after): once per crossing, not on every sale below it.
 */
export async function announceLowStock(em: EntityManager, changes: readonly StockChange[]): Promise<void> {
  for (const change of changes) {
    if (
      !isLowStock(change.availableBefore, change.lowStockThreshold) &&
      isLowStock(change.availableAfter, change.lowStockThreshold)
    ) {
      await publishEvent(em, 'product', InventoryLowStockEvent, {
        productId: change.productId,
        variantId: change.variantId,
        sku: change.sku,
        location: change.location,
        availableQuantity: change.availableAfter,
        lowStockThreshold: change.lowStockThreshold,
      });
    }
  }
}
