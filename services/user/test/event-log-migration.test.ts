import { expect } from 'chai';
import type { Migration } from '@mikro-orm/migrations';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { userEntities } from '../src/entities/index.js';
import { userMigrations } from '../src/migrations/index.js';

const PER_CONSUMER = 'Migration20261205120000_event_log_per_consumer';

describe('user service: event log keyed by consumer (migration)', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  before(async () => {
    // The schema as it was before the migration, with rows written by the old inbox.
    db = await openScratchDatabase('user_event_log_migration', {
      entities: userEntities,
      migrations: userMigrations.filter((migration) => migration.name !== PER_CONSUMER),
    });
  });
  after(() => db?.drop());

  it('gives existing rows their consumer, and keeps recognising the events they record', async () => {
    const em = db.orm.em.fork();
    const recorded = newId();
    const older = newId();
    await em.execute(
      `INSERT INTO event_logs (id, event_id, event_type, source, payload, processed, processed_at)
       VALUES (?, ?, 'ecommerce.auth.v1.UserRegistered', 'auth', ?::jsonb, true, now()),
              (?, ?, 'ecommerce.product.v1.ProductUpdated', 'product', '{}'::jsonb, true, now())`,
      [newId(), recorded, JSON.stringify({ consumer: 'user-from-auth' }), newId(), older],
    );
    const migration = userMigrations.find((candidate) => candidate.name === PER_CONSUMER)!;
    // The migrator's own steps, run by hand on a database that has the older ones.
    const instance = new migration.class(db.orm.em.getDriver(), db.orm.config) as Migration;
    await instance.up();
    for (const query of instance.getQueries()) await em.execute(query.toString());

    const rows = await em.execute<{ event_id: string; consumer: string }[]>(
      'SELECT event_id, consumer FROM event_logs',
    );
    expect(Object.fromEntries(rows.map((row) => [row.event_id, row.consumer]))).to.deep.equal({
      [recorded]: 'user-from-auth',
      [older]: 'user-from-product',
    });
    // The consumer that recorded it still finds it; another consumer may now claim it too.
    const claim = (consumer: string) =>
      em.execute<unknown[]>(
        `INSERT INTO event_logs (id, consumer, event_id, event_type, source, payload, processed, processed_at)
         VALUES (?, ?, ?, 'ecommerce.auth.v1.UserRegistered', 'auth', '{}'::jsonb, true, now())
         ON CONFLICT (consumer, event_id) DO NOTHING RETURNING id`,
        [newId(), consumer, recorded],
      );
    expect(await claim('user-from-auth')).to.have.length(0);
    expect(await claim('user-audit')).to.have.length(1);
  });
});
