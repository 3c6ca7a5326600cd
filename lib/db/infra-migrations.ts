import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';

/**
 * The `infra` schema every service database carries beside its own `public` tables:
 * - outbox: events written in the same transaction as the change that caused them (`claimed_until`
 *   is a relay's short lease on a row it is publishing, so replicas do not publish it twice);
 * - inbox: (consumer, event id) of every event a consumer has applied, for exactly-once effects;
 * - dead_letters: events a consumer gave up on after its retries, kept for inspection and replay;
 * - idempotency_keys: the first result of a retry-safe mutating RPC, returned again on a repeat
 *   (lib/idempotency), purged once past `expires_at` (added below).
 */
class InfraSchema20261127000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE SCHEMA IF NOT EXISTS infra');
    this.addSql(`CREATE TABLE IF NOT EXISTS infra.outbox (
      id uuid PRIMARY KEY,
      subject text NOT NULL,
      type text NOT NULL,
      envelope bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      claimed_until timestamptz
    )`);
    // The relay reads unpublished rows oldest first; the purge deletes published rows by age.
    this.addSql(
      'CREATE INDEX IF NOT EXISTS outbox_unpublished_idx ON infra.outbox (created_at, id) WHERE published_at IS NULL',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS outbox_published_idx ON infra.outbox (published_at) WHERE published_at IS NOT NULL',
    );
    this.addSql(`CREATE TABLE IF NOT EXISTS infra.inbox (
      consumer text NOT NULL,
      event_id uuid NOT NULL,
      subject text NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, event_id)
    )`);
    this.addSql(`CREATE TABLE IF NOT EXISTS infra.dead_letters (
      id uuid PRIMARY KEY,
      consumer text NOT NULL,
      event_id uuid NOT NULL,
      subject text NOT NULL,
      envelope bytea NOT NULL,
      error text NOT NULL,
      attempts integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      replayed_at timestamptz,
      UNIQUE (consumer, event_id)
    )`);
    this.addSql(`CREATE TABLE IF NOT EXISTS infra.idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      status text NOT NULL CHECK (status IN ('in_progress', 'completed')),
      response bytea,
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      PRIMARY KEY (scope, key)
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS infra.idempotency_keys');
    this.addSql('DROP TABLE IF EXISTS infra.dead_letters');
    this.addSql('DROP TABLE IF EXISTS infra.inbox');
    this.addSql('DROP TABLE IF EXISTS infra.outbox');
  }
}

/**
 * - outbox.parked_at: a row the relay gave up publishing after its attempts (it no longer holds
 *   back the rows after it); the unpublished index leaves parked rows out.
 * - indexes for the retention purges, which delete by age (idempotency keys: by expires_at, below).
 */
class InfraRetention20261205000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE infra.outbox ADD COLUMN IF NOT EXISTS parked_at timestamptz');
    this.addSql('DROP INDEX IF EXISTS infra.outbox_unpublished_idx');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS outbox_unpublished_idx ON infra.outbox (created_at, id) WHERE published_at IS NULL AND parked_at IS NULL',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS outbox_parked_idx ON infra.outbox (parked_at) WHERE parked_at IS NOT NULL',
    );
    this.addSql('CREATE INDEX IF NOT EXISTS inbox_processed_at_idx ON infra.inbox (processed_at)');
    this.addSql('CREATE INDEX IF NOT EXISTS dead_letters_created_at_idx ON infra.dead_letters (created_at)');
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS infra.dead_letters_created_at_idx');
    this.addSql('DROP INDEX IF EXISTS infra.inbox_processed_at_idx');
    this.addSql('DROP INDEX IF EXISTS infra.outbox_parked_idx');
    this.addSql('DROP INDEX IF EXISTS infra.outbox_unpublished_idx');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS outbox_unpublished_idx ON infra.outbox (created_at, id) WHERE published_at IS NULL',
    );
    this.addSql('ALTER TABLE infra.outbox DROP COLUMN IF EXISTS parked_at');
  }
}

/**
 * `infra.idempotency_keys.expires_at`: when an entry may be purged. An idempotency key's entry
 * expires a fixed time after its claim (lib/idempotency); an entry a service keeps as state (a
 * stock reservation, a purchase) has none until the service says how long it is still needed.
 * Rows from before stay without one: kept.
 */
class InfraIdempotencyExpiry20261205000001 extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE infra.idempotency_keys ADD COLUMN IF NOT EXISTS expires_at timestamptz');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS idempotency_keys_expires_idx ON infra.idempotency_keys (expires_at) WHERE expires_at IS NOT NULL',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS infra.idempotency_keys_expires_idx');
    this.addSql('ALTER TABLE infra.idempotency_keys DROP COLUMN IF EXISTS expires_at');
  }
}

export const INFRA_MIGRATIONS: MigrationObject[] = [
  { name: 'Infra20261127000000', class: InfraSchema20261127000000 },
  { name: 'Infra20261205000000', class: InfraRetention20261205000000 },
  { name: 'Infra20261205000001', class: InfraIdempotencyExpiry20261205000001 },
];
