import { expect } from 'chai';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { markEmailQueued, onEmailQueued } from '../src/domain/delivery/commit-kick.js';
import { openNotificationDatabase } from './support.js';

/** The sender is woken when an email is queued: at the commit, or at once by a statement of its own. */
describe('notification: the sender woken by a queued email', () => {
  let db: ScratchDatabase;
  before(async () => {
    db = await openNotificationDatabase('notification_commit_kick');
  });
  after(() => db?.drop());

  it('wakes it at once outside a transaction, at the commit inside one, never after a rollback or once unsubscribed', async () => {
    let woken = 0;
    const unsubscribe = onEmailQueued(db.orm, () => woken++);
    markEmailQueued(db.orm.em.fork());
    expect(woken, 'a statement on its own has committed').to.equal(1);

    await db.orm.em.fork().transactional(async (tx) => {
      await tx.execute('SELECT 1');
      markEmailQueued(tx);
      expect(woken, 'not before the commit').to.equal(1);
    });
    expect(woken, 'at the commit').to.equal(2);

    await db.orm.em
      .fork()
      .transactional(async (tx) => {
        await tx.execute('SELECT 1');
        markEmailQueued(tx);
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect(woken, 'never after a rollback').to.equal(2);

    unsubscribe();
    markEmailQueued(db.orm.em.fork());
    await db.orm.em.fork().transactional(async (tx) => markEmailQueued(tx));
    expect(woken, 'once unsubscribed').to.equal(2);
  });
});
