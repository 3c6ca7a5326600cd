import { Migration } from '@mikro-orm/migrations';

/**
 * Columns the user service's behaviour needs beyond its first tables (docs/database/user_db.md):
 * - user_profiles.active_changed_at: when the last deactivation/reactivation happened, so that an
 *   older auth event delivered late never overrides a newer one;
 * - wishlist_items.product_slug / product_status / product_updated_at: the denormalised product
 *   data a wishlist shows, and the product's own update time, so that product events applied out
 *   of order never bring back an older copy.
 */
export class Migration20261127140000_wallet_wishlist_sync extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE user_profiles ADD COLUMN IF NOT EXISTS active_changed_at timestamptz');
    this.addSql("ALTER TABLE wishlist_items ADD COLUMN IF NOT EXISTS product_slug text NOT NULL DEFAULT ''");
    this.addSql(
      "ALTER TABLE wishlist_items ADD COLUMN IF NOT EXISTS product_status text NOT NULL DEFAULT 'available'",
    );
    this.addSql(`DO $$ BEGIN
      ALTER TABLE wishlist_items ADD CONSTRAINT wishlist_items_product_status_check
        CHECK (product_status IN ('available', 'unavailable'));
    EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    this.addSql('ALTER TABLE wishlist_items ADD COLUMN IF NOT EXISTS product_updated_at timestamptz');
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE wishlist_items DROP COLUMN IF EXISTS product_updated_at');
    this.addSql('ALTER TABLE wishlist_items DROP CONSTRAINT IF EXISTS wishlist_items_product_status_check');
    this.addSql('ALTER TABLE wishlist_items DROP COLUMN IF EXISTS product_status');
    this.addSql('ALTER TABLE wishlist_items DROP COLUMN IF EXISTS product_slug');
    this.addSql('ALTER TABLE user_profiles DROP COLUMN IF EXISTS active_changed_at');
  }
}
