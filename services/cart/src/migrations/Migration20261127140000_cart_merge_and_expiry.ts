import { Migration } from '@mikro-orm/migrations';

/**
 * cart_db: a merged guest cart names the customer cart its lines went into (`merged_into_cart_id`,
 * required once `merged`), and the expiry sweep finds idle active carts oldest first. Every
 * statement is idempotent, so running it again is harmless.
 */
export class Migration20261127140000_cart_merge_and_expiry extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE carts ADD COLUMN IF NOT EXISTS merged_into_cart_id uuid');
    this.addSql('ALTER TABLE carts DROP CONSTRAINT IF EXISTS carts_merged_into_cart_id_check');
    this.addSql(
      `ALTER TABLE carts ADD CONSTRAINT carts_merged_into_cart_id_check
         CHECK (status <> 'merged' OR merged_into_cart_id IS NOT NULL)`,
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS carts_merged_into_cart_id_idx ON carts (merged_into_cart_id) WHERE merged_into_cart_id IS NOT NULL',
    );
    // MergeCarts and GetCart without cart_id look up the active carts of a guest session.
    this.addSql(
      "CREATE INDEX IF NOT EXISTS carts_session_id_active_idx ON carts (session_id, created_at) WHERE status = 'active' AND user_id IS NULL",
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS carts_session_id_active_idx');
    this.addSql('DROP INDEX IF EXISTS carts_merged_into_cart_id_idx');
    this.addSql('ALTER TABLE carts DROP CONSTRAINT IF EXISTS carts_merged_into_cart_id_check');
    this.addSql('ALTER TABLE carts DROP COLUMN IF EXISTS merged_into_cart_id');
  }
}
