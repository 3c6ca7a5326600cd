import { Migration } from '@mikro-orm/migrations';

/**
 * ListProducts pages on (sort column, id) in one direction: btree indexes in exactly those orders
 * over published products, so that any page is an index range scan. Reviews gain `rejected_at`
 * (a moderated review is approved or rejected; pending is neither).
 */
export class Migration20261127150000_listing_indexes_and_review_moderation extends Migration {
  override async up(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS products_listing_created_at_idx');
    this.addSql(
      `CREATE INDEX IF NOT EXISTS products_listing_newest_idx ON products (created_at DESC, id DESC)
         WHERE status = 'active' AND is_visible`,
    );
    this.addSql(
      `CREATE INDEX IF NOT EXISTS products_listing_rating_idx ON products (rating_avg DESC, id DESC)
         WHERE status = 'active' AND is_visible`,
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS products_status_created_at_idx ON products (status, created_at DESC, id DESC)',
    );
    this.addSql('ALTER TABLE reviews ADD COLUMN IF NOT EXISTS rejected_at timestamptz');
    this.addSql('ALTER TABLE reviews DROP CONSTRAINT IF EXISTS reviews_moderation_check');
    this.addSql(
      'ALTER TABLE reviews ADD CONSTRAINT reviews_moderation_check CHECK (NOT (is_approved AND rejected_at IS NOT NULL))',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS reviews_product_id_created_at_idx ON reviews (product_id, created_at DESC, id DESC)',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS reviews_product_id_created_at_idx');
    this.addSql('ALTER TABLE reviews DROP CONSTRAINT IF EXISTS reviews_moderation_check');
    this.addSql('ALTER TABLE reviews DROP COLUMN IF EXISTS rejected_at');
    this.addSql('DROP INDEX IF EXISTS products_status_created_at_idx');
    this.addSql('DROP INDEX IF EXISTS products_listing_rating_idx');
    this.addSql('DROP INDEX IF EXISTS products_listing_newest_idx');
    this.addSql(
      `CREATE INDEX IF NOT EXISTS products_listing_created_at_idx ON products (created_at DESC, id)
         WHERE status = 'active' AND is_visible`,
    );
  }
}
