import { expect } from 'chai';
import { openScratchDatabase, type ScratchDatabase } from '../testing/scratch-database.js';
import { CommitNotes } from './commit-notes.js';

describe('lib/db: CommitNotes', () => {
  let db: ScratchDatabase;
  before(async () => {
    db = await openScratchDatabase('commit_notes');
  });
  after(() => db?.drop());

  it("hands a commit's items over at the commit of the root transaction, all at once and in order", async () => {
    const notes = new CommitNotes<string>();
    const heard: string[][] = [];
    const unsubscribe = notes.listen(db.orm, (items) => heard.push([...items]));
    await db.orm.em.fork().transactional(async (tx) => {
      await tx.execute('SELECT 1');
      notes.note(tx, 'a');
      await tx.transactional(async (nested) => {
        await nested.execute('SELECT 2');
        notes.note(nested, 'b');
      });
      expect(heard, 'a nested transaction is not the commit').to.deep.equal([]);
      notes.note(tx, 'c');
    });
    expect(heard).to.deep.equal([['a', 'b', 'c']]);
    unsubscribe();
  });

  it('hands an item over at once outside a transaction, never after a rollback or once unsubscribed', async () => {
    const notes = new CommitNotes<number>();
    const heard: number[][] = [];
    const unsubscribe = notes.listen(db.orm, (items) => heard.push([...items]));
    notes.note(db.orm.em.fork(), 1);
    expect(heard, 'a statement on its own has committed').to.deep.equal([[1]]);

    const rolledBack = await db.orm.em
      .fork()
      .transactional(async (tx) => {
        await tx.execute('SELECT 1');
        notes.note(tx, 2);
        throw new Error('rollback');
      })
      .catch((error: Error) => error.message);
    expect(rolledBack).to.equal('rollback');
    await db.orm.em.fork().transactional(async (tx) => {
      await tx.execute('SELECT 1');
      notes.note(tx, 3);
    });
    expect(heard, 'the rolled-back item is gone').to.deep.equal([[1], [3]]);

    unsubscribe();
    notes.note(db.orm.em.fork(), 4);
    await db.orm.em.fork().transactional(async (tx) => notes.note(tx, 5));
    expect(heard, 'once unsubscribed').to.deep.equal([[1], [3]]);
  });

  it('keeps each instance to its own items, and delivers them as its deliver says', async () => {
    const order: string[] = [];
    const firstOnly = new CommitNotes<string>((listeners, items) =>
      listeners.forEach((listener, index) => listener(index === 0 ? items : [])),
    );
    const other = new CommitNotes<string>();
    const stops = [
      firstOnly.listen(db.orm, (items) => order.push(`first:${items.join()}`)),
      firstOnly.listen(db.orm, (items) => order.push(`second:${items.join()}`)),
      other.listen(db.orm, (items) => order.push(`other:${items.join()}`)),
    ];
    await db.orm.em.fork().transactional(async (tx) => {
      await tx.execute('SELECT 1');
      firstOnly.note(tx, 'x');
    });
    expect(order).to.deep.equal(['first:x', 'second:']);
    stops.forEach((stop) => stop());
  });
});
