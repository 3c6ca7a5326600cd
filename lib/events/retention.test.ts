import { expect } from 'chai';
import { ConfigError } from '../config/index.js';
import { newId } from '../ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../testing/scratch-database.js';
import { EVENT_STREAM_MAX_AGE_MS, eventRetentionFrom, purgeExpiredEventRecords } from './retention.js';

const DAY_MS = 24 * 3600_000;

describe('lib/events: retention of outbox, inbox, dead letters and idempotency keys', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  before(async () => {
    db = await openScratchDatabase('events_retention');
  });
  after(() => db?.drop());

  const em = () => db.orm.em.fork();
  const ago = (days: number) => new Date(Date.now() - days * DAY_MS);
  const count = async (sql: string) =>
    (await em().execute<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${sql}`))[0]!.n;

  async function outboxRow(columns: { published_at?: Date; parked_at?: Date }): Promise<void> {
    await em().execute(
      `INSERT INTO infra.outbox (id, subject, type, envelope, published_at, parked_at) VALUES (?, 'a.b.c', 't', ?, ?, ?)`,
      [newId(), Buffer.from([1]), columns.published_at ?? null, columns.parked_at ?? null],
    );
  }

  it('deletes each kind of record past its retention, and nothing younger or still pending', async () => {
    const retention = eventRetentionFrom({});
    await outboxRow({ published_at: ago(8) }); // purged: published 8 days ago, kept 7
    await outboxRow({ published_at: ago(6) });
    await outboxRow({}); // unpublished: never purged
    await outboxRow({ parked_at: ago(31) }); // purged: parked rows live as long as dead letters
    await outboxRow({ parked_at: ago(8) });
    for (const days of [15, 13]) {
      await em().execute(
        `INSERT INTO infra.inbox (consumer, event_id, subject, processed_at) VALUES ('c', ?, 'a.b.c', ?)`,
        [newId(), ago(days)],
      );
      await em().execute(
        `INSERT INTO infra.dead_letters (id, consumer, event_id, subject, envelope, error, attempts, created_at)
         VALUES (?, 'c', ?, 'a.b.c', ?, 'e', 1, ?)`,
        [newId(), newId(), Buffer.from([1]), ago(days * 2 + 1)],
      );
    }
    // Idempotency keys go by their own expires_at; a row without one is state a service keeps.
    for (const expiresAt of [ago(1), ago(-1), null]) {
      await em().execute(
        `INSERT INTO infra.idempotency_keys (scope, key, request_hash, status, expires_at) VALUES ('restock', ?, 'h', 'completed', ?)`,
        [newId(), expiresAt],
      );
    }

    const purged = await purgeExpiredEventRecords(em(), retention, { batchSize: 1 });
    expect(purged).to.deep.equal({ outbox: 2, inbox: 1, deadLetters: 1, idempotencyKeys: 1 });
    expect(await count('infra.outbox')).to.equal(3);
    expect(await count('infra.inbox')).to.equal(1);
    expect(await count('infra.dead_letters')).to.equal(1);
    expect(await count('infra.idempotency_keys WHERE expires_at IS NULL OR expires_at > now()')).to.equal(2);
    expect(await purgeExpiredEventRecords(em(), retention)).to.deep.equal({
      outbox: 0,
      inbox: 0,
      deadLetters: 0,
      idempotencyKeys: 0,
    });
  });

  it('works in bounded batches: one call stops after its last batch, the next goes on', async () => {
    await em().execute('DELETE FROM infra.inbox');
    for (let i = 0; i < 5; i++) {
      await em().execute(
        `INSERT INTO infra.inbox (consumer, event_id, subject, processed_at) VALUES ('c', ?, 'a.b.c', ?)`,
        [newId(), ago(30)],
      );
    }
    const retention = eventRetentionFrom({});
    expect((await purgeExpiredEventRecords(em(), retention, { batchSize: 2, maxBatches: 1 })).inbox).to.equal(
      2,
    );
    expect((await purgeExpiredEventRecords(em(), retention, { batchSize: 2, maxBatches: 5 })).inbox).to.equal(
      3,
    );
  });

  it('keeps the inbox longer than the streams keep events, and refuses a setting that would not', () => {
    const streamDays = EVENT_STREAM_MAX_AGE_MS / DAY_MS;
    expect(eventRetentionFrom({})).to.deep.equal({
      outboxDays: 7,
      inboxDays: 2 * streamDays,
      deadLetterDays: 30,
    });
    expect(eventRetentionFrom({ EVENTS_INBOX_RETENTION_DAYS: String(streamDays + 1) }).inboxDays).to.equal(
      streamDays + 1,
    );
    for (const bad of [String(streamDays), '1', 'a week']) {
      expect(() => eventRetentionFrom({ EVENTS_INBOX_RETENTION_DAYS: bad }))
        .to.throw(ConfigError)
        .with.property('setting', 'EVENTS_INBOX_RETENTION_DAYS');
    }
  });
});
