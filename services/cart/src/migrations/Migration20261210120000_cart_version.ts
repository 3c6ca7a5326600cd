import { Migration } from '@mikro-orm/migrations';

/**
 * cart_db: `version` counts the changes of a cart (lines, coupon, status): every statement that
 * changes a cart raises it by one, so the checkout can tell whether a cart changed since it read
 * it. `updated_at` cannot say so: it is the transaction's start time, which two changes of one cart
 * may share, and a change that waited for the row lock may even carry an earlier one. Existing
 * carts start at 1. Every statement is idempotent, so running it again is harmless.
 */
export class Migration20261210120000_cart_version extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE carts ADD COLUMN IF NOT EXISTS version integer NOT NULL DEFAULT 1');
    this.addSql('ALTER TABLE carts DROP CONSTRAINT IF EXISTS carts_version_check');
    this.addSql('ALTER TABLE carts ADD CONSTRAINT carts_version_check CHECK (version >= 1)');
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE carts DROP CONSTRAINT IF EXISTS carts_version_check');
    this.addSql('ALTER TABLE carts DROP COLUMN IF EXISTS version');
  }
}
