import { Migration } from '@mikro-orm/migrations';

/**
 * A cancelled order whose units are not yet restocked and whose payment is not yet refunded is
 * `status = 'cancelled' AND payment_status = 'paid'` (CancelOrder decides first, then gives back);
 * the settlement job finds them through this partial index, which holds only those few rows.
 */
export class Migration20261206180000_cancellation_settlement extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE INDEX IF NOT EXISTS orders_cancellation_unsettled_idx ON orders (cancelled_at)
      WHERE status = 'cancelled' AND payment_status = 'paid'`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS orders_cancellation_unsettled_idx');
  }
}
