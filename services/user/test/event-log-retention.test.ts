import { expect } from 'chai';
import { eventRetentionFrom } from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { quietLogger } from '../../../lib/testing/quiet-logger.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { startEventLogRetention } from '../src/consumers/event-log-retention.js';
import { countRows, openUserDatabase } from './support.js';

describe('user service: event log retention', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  before(async () => {
    db = await openUserDatabase('user_event_log_retention');
  });
  after(() => db?.drop());

  it('deletes processed rows older than the inbox retention, keeps younger ones and unprocessed ones', async () => {
    const retention = eventRetentionFrom({ EVENTS_INBOX_RETENTION_DAYS: '10' });
    const row = (daysAgo: number, processed: boolean) =>
      db.orm.em.fork().execute(
        `INSERT INTO event_logs (id, consumer, event_id, event_type, source, payload, processed, processed_at, created_at)
         VALUES (?, 'user-from-auth', ?, 't', 'auth', '{}'::jsonb, ?, ?, ?)`,
        [
          newId(),
          newId(),
          processed,
          processed ? new Date(Date.now() - daysAgo * 86_400_000) : null,
          new Date(Date.now() - daysAgo * 86_400_000),
        ],
      );
    await row(11, true);
    await row(9, true);
    await row(30, false);
    const job = startEventLogRetention(db.orm, retention, quietLogger());
    try {
      await job.runNow();
    } finally {
      await job.stop();
    }
    expect(await countRows(db, 'event_logs')).to.equal(2);
    expect(await countRows(db, "event_logs WHERE processed_at < now() - interval '10 days'")).to.equal(0);
  });
});
