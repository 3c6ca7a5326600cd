import { Migration } from '@mikro-orm/migrations';

/**
 * The vault's retry safety: a method vaulted with an idempotency key is stored once per (user,
 * key); `request_hash` (SHA-256 of the request) tells a true repeat from a key reused for a
 * different card. Methods vaulted without a key (none yet) keep both columns empty.
 */
export class Migration20261127140000_vault_idempotency extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE payment_methods ADD COLUMN IF NOT EXISTS idempotency_key text');
    this.addSql('ALTER TABLE payment_methods ADD COLUMN IF NOT EXISTS request_hash text');
    this.addSql(
      `CREATE UNIQUE INDEX IF NOT EXISTS payment_methods_user_id_idempotency_key_unique
         ON payment_methods (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS payment_methods_user_id_idempotency_key_unique');
    this.addSql('ALTER TABLE payment_methods DROP COLUMN IF EXISTS request_hash');
    this.addSql('ALTER TABLE payment_methods DROP COLUMN IF EXISTS idempotency_key');
  }
}
