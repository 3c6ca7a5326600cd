import { Migration } from '@mikro-orm/migrations';

/**
 * event_logs is the user service's inbox: an event is applied once per consumer, not once per
 * service. It was unique on event_id alone, so a second consumer of one event (another durable of
 * this service) would have found the first one's row and skipped the event silently. Now keyed by
 * (consumer, event_id). Existing rows get the consumer their payload recorded, or, for a row
 * without one, the durable that consumed that source's events (`user-from-<source>`).
 */
export class Migration20261205120000_event_log_per_consumer extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE event_logs ADD COLUMN IF NOT EXISTS consumer text');
    this.addSql(
      `UPDATE event_logs SET consumer = COALESCE(NULLIF(payload->>'consumer', ''), 'user-from-' || source)
        WHERE consumer IS NULL`,
    );
    this.addSql('ALTER TABLE event_logs ALTER COLUMN consumer SET NOT NULL');
    this.addSql('ALTER TABLE event_logs DROP CONSTRAINT IF EXISTS event_logs_event_id_unique');
    this.addSql(`DO $$ BEGIN
      ALTER TABLE event_logs ADD CONSTRAINT event_logs_consumer_event_id_unique UNIQUE (consumer, event_id);
    EXCEPTION WHEN duplicate_table OR duplicate_object THEN NULL; END $$`);
    // The retention purge deletes processed rows by age.
    this.addSql(
      'CREATE INDEX IF NOT EXISTS event_logs_processed_at_idx ON event_logs (processed_at) WHERE processed',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS event_logs_processed_at_idx');
    this.addSql('ALTER TABLE event_logs DROP CONSTRAINT IF EXISTS event_logs_consumer_event_id_unique');
    // Only possible while no event has rows of two consumers.
    this.addSql('ALTER TABLE event_logs ADD CONSTRAINT event_logs_event_id_unique UNIQUE (event_id)');
    this.addSql('ALTER TABLE event_logs DROP COLUMN IF EXISTS consumer');
  }
}
