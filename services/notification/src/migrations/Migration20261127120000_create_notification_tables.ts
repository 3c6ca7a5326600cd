import { Migration } from '@mikro-orm/migrations';

/**
 * notification_db: the four tables of docs/database/notification_db.md. Hand-written SQL (two tables partitioned by
 * month); every statement is `IF NOT EXISTS`, so running it again is harmless. `user_id` is an
 * auth user: cross-service, indexed, no foreign key.
 */
export class Migration20261127120000_create_notification_tables extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE IF NOT EXISTS email_templates (
      id uuid NOT NULL,
      name text NOT NULL,
      subject text NOT NULL,
      body_html text NOT NULL,
      body_text text NOT NULL,
      variables jsonb NOT NULL DEFAULT '[]',
      is_active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT email_templates_pkey PRIMARY KEY (id),
      CONSTRAINT email_templates_name_unique UNIQUE (name),
      CONSTRAINT email_templates_name_check CHECK (name ~ '^[a-z][a-z0-9_.]*$'),
      CONSTRAINT email_templates_variables_check CHECK (jsonb_typeof(variables) = 'array')
    )`);

    this.addSql(`CREATE TABLE IF NOT EXISTS notification_preferences (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      notification_type text NOT NULL,
      email_enabled boolean NOT NULL DEFAULT true,
      sms_enabled boolean NOT NULL DEFAULT false,
      push_enabled boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT notification_preferences_pkey PRIMARY KEY (id),
      CONSTRAINT notification_preferences_user_id_notification_type_unique UNIQUE (user_id, notification_type)
    )`);

    // [monthly] Partitions live in the `partitions` schema (lib/db/partitions.ts); the DEFAULT
    // partition catches any row whose month has no partition yet, so inserts never fail.
    this.addSql('CREATE SCHEMA IF NOT EXISTS partitions');
    this.addSql(`CREATE TABLE IF NOT EXISTS notifications (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      channel text NOT NULL,
      notification_type text NOT NULL,
      template_id uuid,
      recipient text NOT NULL,
      subject text,
      body text NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      event_id uuid,
      metadata jsonb NOT NULL DEFAULT '{}',
      scheduled_at timestamptz,
      sent_at timestamptz,
      delivered_at timestamptz,
      read_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT notifications_pkey PRIMARY KEY (id, created_at),
      CONSTRAINT notifications_template_id_fkey FOREIGN KEY (template_id) REFERENCES email_templates (id)
        ON DELETE SET NULL,
      CONSTRAINT notifications_channel_check CHECK (channel IN ('email', 'sms', 'push', 'in_app')),
      CONSTRAINT notifications_status_check CHECK (status IN ('pending', 'sent', 'delivered', 'failed', 'bounced')),
      CONSTRAINT notifications_recipient_check CHECK (recipient <> '')
    ) PARTITION BY RANGE (created_at)`);
    this.addSql(
      'CREATE TABLE IF NOT EXISTS partitions.notifications_default PARTITION OF notifications DEFAULT',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS notifications_user_id_created_at_idx ON notifications (user_id, created_at DESC)',
    );
    this.addSql('CREATE INDEX IF NOT EXISTS notifications_template_id_idx ON notifications (template_id)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS notifications_event_id_idx ON notifications (event_id) WHERE event_id IS NOT NULL',
    );
    // The sender picks up due messages.
    this.addSql(
      "CREATE INDEX IF NOT EXISTS notifications_pending_idx ON notifications (scheduled_at) WHERE status = 'pending'",
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS notification_logs (
      id uuid NOT NULL,
      notification_id uuid NOT NULL,
      attempt integer NOT NULL,
      status text NOT NULL,
      provider text NOT NULL,
      provider_message_id text,
      provider_response jsonb,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT notification_logs_pkey PRIMARY KEY (id, created_at),
      CONSTRAINT notification_logs_attempt_check CHECK (attempt >= 1),
      CONSTRAINT notification_logs_status_check CHECK (status IN ('sent', 'delivered', 'failed', 'bounced'))
    ) PARTITION BY RANGE (created_at)`);
    this.addSql(
      'CREATE TABLE IF NOT EXISTS partitions.notification_logs_default PARTITION OF notification_logs DEFAULT',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS notification_logs_notification_id_idx ON notification_logs (notification_id, created_at)',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS notification_logs');
    this.addSql('DROP TABLE IF EXISTS notifications');
    this.addSql('DROP SCHEMA IF EXISTS partitions');
    this.addSql('DROP TABLE IF EXISTS notification_preferences');
    this.addSql('DROP TABLE IF EXISTS email_templates');
  }
}
