import { Migration } from '@mikro-orm/migrations';

/**
 * return_db: a returned line refunds what its units cost the customer, tax included, which is more
 * than unit_price × quantity when tax is added on top of the price: the line's refund is bounded
 * below only. Every statement is idempotent, so running it again is harmless.
 */
export class Migration20261212120000_return_item_refund_with_tax extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE return_items DROP CONSTRAINT IF EXISTS return_items_refund_amount_check');
    this.addSql(
      'ALTER TABLE return_items ADD CONSTRAINT return_items_refund_amount_check CHECK (refund_amount >= 0)',
    );
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE return_items DROP CONSTRAINT IF EXISTS return_items_refund_amount_check');
    this.addSql(
      `ALTER TABLE return_items ADD CONSTRAINT return_items_refund_amount_check
         CHECK (refund_amount >= 0 AND refund_amount <= unit_price * quantity)`,
    );
  }
}
