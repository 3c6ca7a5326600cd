import { Migration } from '@mikro-orm/migrations';

/**
 * A variant may weigh and measure other than its product (a 2 kg and a 5 kg bag of one product):
 * `product_variants` gains the product's `weight` (kilograms) and `length`/`width`/`height`
 * (centimetres), null meaning "the product's". The contract speaks whole grams and millimetres.
 */
export class Migration20261128090000_variant_weights extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE product_variants
      ADD COLUMN IF NOT EXISTS weight numeric(10,3),
      ADD COLUMN IF NOT EXISTS length numeric(10,2),
      ADD COLUMN IF NOT EXISTS width numeric(10,2),
      ADD COLUMN IF NOT EXISTS height numeric(10,2)`);
    this.addSql('ALTER TABLE product_variants DROP CONSTRAINT IF EXISTS product_variants_dimensions_check');
    this.addSql(
      `ALTER TABLE product_variants ADD CONSTRAINT product_variants_dimensions_check
         CHECK (weight >= 0 AND length >= 0 AND width >= 0 AND height >= 0)`,
    );
    this.addSql(`COMMENT ON COLUMN product_variants.weight IS 'kilograms; null: the product''s weight'`);
    this.addSql(
      `COMMENT ON COLUMN product_variants.length IS 'centimetres (also width, height); null: the product''s dimensions'`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE product_variants DROP CONSTRAINT IF EXISTS product_variants_dimensions_check');
    this.addSql(`ALTER TABLE product_variants
      DROP COLUMN IF EXISTS weight, DROP COLUMN IF EXISTS length, DROP COLUMN IF EXISTS width,
      DROP COLUMN IF EXISTS height`);
  }
}
