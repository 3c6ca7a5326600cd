import { expect } from 'chai';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { openScratchDatabase, type ScratchDatabase } from '../testing/scratch-database.js';
import { executePrepared } from './prepared-statement.js';

describe('lib/db: executePrepared', () => {
  let db: ScratchDatabase;
  const INSERT = `INSERT INTO notes (id, body, at) VALUES (?, ?, ?) RETURNING id, body, length(blob) AS blob_length`;

  before(async () => {
    db = await openScratchDatabase('prepared_statement');
    await db.orm.em.execute('CREATE TABLE notes (id int PRIMARY KEY, body text, at timestamptz, blob bytea)');
  });
  after(async () => {
    await db?.drop();
  });

  it('runs a statement with its values as parameters, the same name again and again', async () => {
    for (const id of [1, 2, 3]) {
      const rows = await executePrepared<{ id: number; body: string }>(
        db.orm.em.fork(),
        'notes:insert',
        INSERT,
        [id, `it's note ${id}; -- not SQL`, new Date('2026-12-06T10:00:00.000Z')],
      );
      expect(rows).to.deep.equal([{ id, body: `it's note ${id}; -- not SQL`, blob_length: null }]);
    }
    const rows = await executePrepared<{ bytes: number }>(
      db.orm.em.fork(),
      'notes:blob',
      'UPDATE notes SET blob = ? WHERE id = ? RETURNING length(blob) AS bytes',
      [Buffer.from([0, 1, 2, 255]), 2],
    );
    expect(rows).to.deep.equal([{ bytes: 4 }]);
    const named = await executePrepared<{ id: number; text: string }>(
      db.orm.em.fork(),
      'notes:by-id',
      'SELECT id, body::text AS text FROM notes WHERE id = :id::int OR id = :id + 100',
      { id: 3 },
    );
    expect(named).to.deep.equal([{ id: 3, text: "it's note 3; -- not SQL" }]);
  });

  it('fails with MikroORM’s exception, and runs inside the caller’s transaction', async () => {
    const again = executePrepared(db.orm.em.fork(), 'notes:insert', INSERT, [1, 'again', new Date()]);
    await again.then(
      () => expect.fail('a duplicate key was inserted'),
      (error: unknown) => expect(error).to.be.instanceOf(UniqueConstraintViolationException),
    );
    await db.orm.em
      .fork()
      .transactional(async (tx) => {
        await executePrepared(tx, 'notes:insert', INSERT, [10, 'rolled back', new Date()]);
        throw new Error('roll it back');
      })
      .catch(() => undefined);
    const [count] = await db.orm.em.execute<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM notes WHERE id = 10',
    );
    expect(count!.n).to.equal(0);
  });
});
