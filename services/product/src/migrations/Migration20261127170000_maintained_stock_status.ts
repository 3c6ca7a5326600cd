import { Migration } from '@mikro-orm/migrations';

/**
 * `products.stock_status` is now kept by the service in the transaction of every stock change
 * (services/product/src/domain/inventory/stock-status.ts); until now only the demo seed wrote it, by
 * another rule. This sets every product's status from its stock once, with the default
 * PRODUCT_LOW_STOCK_THRESHOLD (5): out_of_stock when no active variant has a unit available,
 * low_stock at 5 or fewer, else in_stock. A service configured with another threshold relabels low
 * and in stock when it starts (its reconciliation). `backorder` is left as it is.
 */
export class Migration20261127170000_maintained_stock_status extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `COMMENT ON COLUMN products.stock_status IS 'kept by the service with every stock change: units available over active variants, none out_of_stock, at most PRODUCT_LOW_STOCK_THRESHOLD low_stock; backorder is set by nothing and left alone'`,
    );
    this.addSql(`UPDATE products p
         SET stock_status = s.status
        FROM (SELECT p2.id,
                     CASE WHEN COALESCE(t.available, 0) <= 0 THEN 'out_of_stock'
                          WHEN t.available <= 5 THEN 'low_stock'
                          ELSE 'in_stock' END AS status
                FROM products p2
                LEFT JOIN (SELECT i.product_id, sum(GREATEST(i.available_quantity, 0)) AS available
                             FROM inventory i JOIN product_variants v ON v.id = i.variant_id
                            WHERE v.is_active
                            GROUP BY i.product_id) t ON t.product_id = p2.id) s
       WHERE p.id = s.id AND p.stock_status <> 'backorder' AND p.stock_status <> s.status`);
  }

  override async down(): Promise<void> {
    this.addSql('COMMENT ON COLUMN products.stock_status IS NULL');
  }
}
