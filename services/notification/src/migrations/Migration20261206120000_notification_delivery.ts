import { Migration } from '@mikro-orm/migrations';

/**
 * notification_db: what delivery needs. A message may have no user (a guest, the shop's alert
 * addresses) and no address yet (a customer's, looked up by the sender); it keeps its HTML body and
 * counts its attempts. In-app preferences; the unique key of a message (`notification_keys`); the
 * contacts of orders (`order_contacts`). Every statement can run again harmlessly.
 */
export class Migration20261206120000_notification_delivery extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE notifications ALTER COLUMN user_id DROP NOT NULL');
    this.addSql('ALTER TABLE notifications ALTER COLUMN recipient DROP NOT NULL');
    this.addSql('ALTER TABLE notifications ADD COLUMN IF NOT EXISTS body_html text');
    this.addSql('ALTER TABLE notifications ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0');
    this.addSql('ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_attempts_check');
    this.addSql(
      'ALTER TABLE notifications ADD CONSTRAINT notifications_attempts_check CHECK (attempts >= 0)',
    );
    this.addSql(
      'ALTER TABLE notification_preferences ADD COLUMN IF NOT EXISTS in_app_enabled boolean NOT NULL DEFAULT true',
    );
    this.addSql(`CREATE TABLE IF NOT EXISTS notification_keys (
      event_id uuid NOT NULL,
      recipient_key text NOT NULL,
      template text NOT NULL,
      channel text NOT NULL,
      notification_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT notification_keys_pkey PRIMARY KEY (event_id, recipient_key, template, channel)
    )`);
    // Retention deletes the oldest keys.
    this.addSql(
      'CREATE INDEX IF NOT EXISTS notification_keys_created_at_idx ON notification_keys (created_at)',
    );
    this.addSql(`CREATE TABLE IF NOT EXISTS order_contacts (
      order_id uuid NOT NULL,
      order_number text NOT NULL,
      user_id uuid,
      guest_email text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT order_contacts_pkey PRIMARY KEY (order_id)
    )`);
    // An account's orders, for erasing what is known of a user.
    this.addSql('CREATE INDEX IF NOT EXISTS order_contacts_user_id_idx ON order_contacts (user_id)');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS order_contacts');
    this.addSql('DROP TABLE IF EXISTS notification_keys');
    this.addSql('ALTER TABLE notification_preferences DROP COLUMN IF EXISTS in_app_enabled');
    this.addSql('ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_attempts_check');
    this.addSql('ALTER TABLE notifications DROP COLUMN IF EXISTS attempts');
    this.addSql('ALTER TABLE notifications DROP COLUMN IF EXISTS body_html');
  }
}
