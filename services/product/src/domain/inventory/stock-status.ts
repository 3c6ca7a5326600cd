import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { executePrepared } from '../../../../../lib/db/prepared-statement.js';
import { ProductUpdatedEvent } from '../../../../../lib/events/catalog.js';
import type { Logger } from '../../../../../lib/log.js';
import type { BackgroundTask } from '../../../../../lib/runtime/service-module.js';
import { announceProduct } from '../announce.js';
import type { StockStatus } from '../../entities/product.js';
import { isLowStock } from './low-stock.js';

/** The stock statuses the service maintains; `backorder` is allowed by the table but set by nothing. */
export type MaintainedStockStatus = Exclude<StockStatus, 'backorder'>;

/**
 * `products.stock_status` from the units available over the product's active variants (all
 * locations): none is out_of_stock, at or below the low-stock threshold (PRODUCT_LOW_STOCK_THRESHOLD,
 * the same test as product.inventory.low_stock) is low_stock, more is in_stock. Deactivated
 * variants count for nothing: they cannot be bought (ReserveStock refuses them) or seen.
 */
export function stockStatusOf(available: number, threshold: number): MaintainedStockStatus {
  if (available <= 0) return 'out_of_stock';
  return isLowStock(available, threshold) ? 'low_stock' : 'in_stock';
}

/**
 * Locks these products' rows, in id order, for a change of their stock. Every stock change that
 * moves available units takes the product locks before it touches an inventory row (UpdateProduct,
 * which also writes inventory, locks its product first too), so all writers of one product's
 * available units take turns and no two can deadlock; `refreshStockStatus` then sees every other
 * change of that product's stock committed. A commit (CommitReservation) moves none (on hand and
 * reserved drop alike) and takes no product lock: it locks only its order's ledger entry and then
 * its stock rows, in the order every writer of several stock rows takes them (variant, location),
 * so it cannot close a cycle either.
 * NO KEY UPDATE: the foreign-key checks of inserted inventory rows (KEY SHARE) do not wait on it.
 */
export async function lockProducts(em: EntityManager, productIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(productIds)].sort();
  if (ids.length === 0) return;
  await executePrepared(
    em,
    'product:lock-products',
    'SELECT id FROM products WHERE id = ANY(?::uuid[]) ORDER BY id FOR NO KEY UPDATE',
    [`{${ids.join(',')}}`],
  );
}

interface StockRow {
  id: string;
  stock_status: StockStatus;
  available: number | string;
}

/**
 * SQL: the units available over the active variants (all locations) of the product whose id is
 * the SQL expression `productId`, what its stock status is computed from.
 */
export const availableOfProduct = (productId: string) => `
  COALESCE((SELECT sum(GREATEST(si.available_quantity, 0))
              FROM inventory si JOIN product_variants sv ON sv.id = si.variant_id
             WHERE si.product_id = ${productId} AND sv.is_active), 0)`;

/** Products with their stored status and the units available over their active variants. */
const STOCK_ROWS = (where: string) => `
  SELECT p.id, p.stock_status, ${availableOfProduct('p.id')} AS available
    FROM products p
   WHERE ${where}`;

/** The status `available` units call for, when it is not the stored one (backorder aside). */
export function stockStatusChange(
  stored: StockStatus,
  available: number,
  threshold: number,
): MaintainedStockStatus | undefined {
  if (stored === 'backorder') return undefined;
  const status = stockStatusOf(available, threshold);
  return status === stored ? undefined : status;
}

/** The products of these rows whose stored status is not what their stock says (backorder aside). */
function statusChanges(rows: readonly StockRow[], threshold: number) {
  return rows.flatMap((row) => {
    const status = stockStatusChange(row.stock_status, Number(row.available), threshold);
    return status ? [{ id: row.id, status }] : [];
  });
}

/**
 * Sets the stock status of these products from their stock as it is now, in the caller's
 * transaction, which holds their locks (`lockProducts`, or the product's own `FOR UPDATE`, or it
 * created them). This must be a statement of its own after the lock: in READ COMMITTED, a statement
 * that waited for a lock still reads the others' rows as they were when it began. A product marked
 * `backorder` (nothing in the platform marks one) is left as it is. Returns the products whose
 * status changed.
 */
export async function refreshStockStatus(
  em: EntityManager,
  productIds: Iterable<string>,
  threshold: number,
): Promise<string[]> {
  const ids = [...new Set(productIds)];
  if (ids.length === 0) return [];
  const rows = await executePrepared<StockRow>(
    em,
    'product:stock-rows',
    STOCK_ROWS('p.id = ANY(?::uuid[])'),
    [`{${ids.join(',')}}`],
  );
  const changes = statusChanges(rows, threshold);
  if (changes.length === 0) return [];
  await em.execute(
    `UPDATE products p SET stock_status = c.status
       FROM (SELECT unnest(?::uuid[]) AS id, unnest(?::text[]) AS status) c
      WHERE p.id = c.id`,
    [
      `{${changes.map((change) => change.id).join(',')}}`,
      `{${changes.map((change) => change.status).join(',')}}`,
    ],
    'run',
  );
  return changes.map((change) => change.id);
}

/**
 * `refreshStockStatus` for a change of stock alone (a reservation, release, restock or adjustment,
 * which publish no product event of their own): a product whose status changed is announced as
 * `product.product.updated`, so every replica's cache drops it at once rather than serving the old
 * status until its TTL.
 */
export async function settleStockStatus(
  em: EntityManager,
  productIds: Iterable<string>,
  threshold: number,
): Promise<void> {
  for (const id of await refreshStockStatus(em, productIds, threshold)) {
    await announceProduct(em, ProductUpdatedEvent, id);
  }
}

/**
 * Brings every product's stock status in line with its stock and the threshold this process runs
 * with: rows written before the status was maintained, or by a PRODUCT_LOW_STOCK_THRESHOLD changed
 * since. Reads the catalog in pages of `pageSize` (no locks); only the products whose status is off
 * are locked and set again, in a transaction per page (a stock change that raced the read has set
 * its own, and `refreshStockStatus` then changes nothing). Returns how many changed.
 */
export async function reconcileStockStatus(
  orm: MikroORM,
  threshold: number,
  options: { pageSize?: number; stopped?: () => boolean } = {},
): Promise<number> {
  const pageSize = options.pageSize ?? 1000;
  let changed = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  while (!options.stopped?.()) {
    const rows = await orm.em
      .fork()
      .execute<StockRow[]>(`${STOCK_ROWS('p.id > ?')} ORDER BY p.id LIMIT ?`, [after, pageSize]);
    const off = statusChanges(rows, threshold).map((change) => change.id);
    if (off.length > 0) {
      changed += await orm.em.fork().transactional(async (tx) => {
        await lockProducts(tx, off);
        return (await refreshStockStatus(tx, off, threshold)).length;
      });
    }
    if (rows.length < pageSize) break;
    after = rows[rows.length - 1]!.id;
  }
  return changed;
}

/** Runs `reconcileStockStatus` once, beside the service's start; stopping waits for its batch. */
export function startStockStatusReconciliation(
  orm: MikroORM,
  threshold: number,
  logger: Logger,
): BackgroundTask {
  let stopping = false;
  const run = reconcileStockStatus(orm, threshold, { stopped: () => stopping })
    .then((changed) => {
      if (changed > 0) logger.info({ changed, threshold }, 'stock statuses brought in line with stock');
    })
    .catch((error: unknown) => logger.error({ err: error }, 'reconciling stock statuses failed'));
  return {
    name: 'stock status reconciliation',
    stop: async () => {
      stopping = true;
      await run;
    },
  };
}
