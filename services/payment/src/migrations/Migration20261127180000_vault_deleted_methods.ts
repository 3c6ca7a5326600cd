import { Migration } from '@mikro-orm/migrations';

/**
 * A deleted method keeps its row, without its provider token: `deleted_at` is set and the token
 * cleared, so its idempotency key stays taken and a late retry of the request that added it is
 * refused instead of vaulting the card again.
 */
export class Migration20261127180000_vault_deleted_methods extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE payment_methods ADD COLUMN IF NOT EXISTS deleted_at timestamptz');
  }

  override async down(): Promise<void> {
    this.addSql('DELETE FROM payment_methods WHERE deleted_at IS NOT NULL');
    this.addSql('ALTER TABLE payment_methods DROP COLUMN IF EXISTS deleted_at');
  }
}
