import { expect } from 'chai';
import { openScratchDatabase, type ScratchDatabase } from '../testing/scratch-database.js';
import { jsonCodec } from '../testing/json-codec.js';
import { decodeEnvelope } from './envelope.js';
import { defineEvent } from './event-type.js';
import { insertOutboxRowFrom, outboxRowOf, outboxRowParams, publishEvent } from './outbox.js';
import { withCorrelationId } from './correlation.js';
import { onOutboxCommit, outboxWritten } from './outbox-commit.js';
import { executePrepared } from '../db/prepared-statement.js';
import { toBytes } from './bytes.js';

const OrderPlaced = defineEvent('shop.order.placed', 'test.v1.OrderPlaced', jsonCodec<{ orderId: string }>());

describe('lib/events: publishEvent writes to the outbox in the caller’s transaction', () => {
  let db: ScratchDatabase;
  before(async () => {
    db = await openScratchDatabase('events_outbox');
  });
  after(() => db?.drop());
  beforeEach(() => db.orm.em.fork().execute('DELETE FROM infra.outbox'));

  const outboxRows = () =>
    db.orm.em
      .fork()
      .execute<{ id: string; subject: string; type: string; envelope: Uint8Array }[]>(
        'SELECT * FROM infra.outbox',
      );

  it('stores the envelope with the event id when the transaction commits', async () => {
    const id = await db.orm.em
      .fork()
      .transactional((em) =>
        publishEvent(em, 'shop', OrderPlaced, { orderId: 'o-1' }, { correlationId: 'req-7' }),
      );
    const rows = await outboxRows();
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ id, subject: 'shop.order.placed', type: 'test.v1.OrderPlaced' });
    const envelope = decodeEnvelope(toBytes(rows[0]!.envelope));
    expect(envelope).to.include({
      id,
      type: 'test.v1.OrderPlaced',
      source: 'shop',
      correlationId: 'req-7',
      subject: 'shop.order.placed',
    });
    expect(envelope.occurredAt).to.be.instanceOf(Date);
    expect(OrderPlaced.decode(envelope.payload)).to.deep.equal({ orderId: 'o-1' });
  });

  it('leaves no row when the transaction rolls back', async () => {
    const failing = db.orm.em.fork().transactional(async (em) => {
      await publishEvent(em, 'shop', OrderPlaced, { orderId: 'o-2' });
      throw new Error('business rule failed after the event was written');
    });
    expect(((await failing.catch((e: unknown) => e)) as Error).message).to.match(/business rule/);
    expect(await outboxRows()).to.have.length(0);
  });

  it('refuses to write outside a transaction', async () => {
    const error = await publishEvent(db.orm.em.fork(), 'shop', OrderPlaced, { orderId: 'o-3' }).catch(
      (e) => e,
    );
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.match(/inside the transaction/);
    expect(await outboxRows()).to.have.length(0);
  });

  it('takes the ambient correlation id, or starts a chain with the event id', async () => {
    const [inherited, fresh] = await db.orm.em
      .fork()
      .transactional(async (em) => [
        await withCorrelationId('chain-1', () => publishEvent(em, 'shop', OrderPlaced, { orderId: 'a' })),
        await publishEvent(em, 'shop', OrderPlaced, { orderId: 'b' }),
      ]);
    const byId = new Map((await outboxRows()).map((row) => [row.id, decodeEnvelope(toBytes(row.envelope))]));
    expect(byId.get(inherited)?.correlationId).to.equal('chain-1');
    expect(byId.get(fresh)?.correlationId).to.equal(fresh);
  });

  it('reports the commit (also of a nested transaction) to outbox listeners, and not a rollback', async () => {
    let commits = 0;
    const unsubscribe = onOutboxCommit(db.orm, () => commits++);
    try {
      await db.orm.em.fork().transactional(async (em) => {
        await em.transactional((inner) => publishEvent(inner, 'shop', OrderPlaced, { orderId: 'n' }));
      });
      expect(commits).to.equal(1);
      await db.orm.em
        .fork()
        .transactional(async (em) => {
          await publishEvent(em, 'shop', OrderPlaced, { orderId: 'r' });
          throw new Error('rollback');
        })
        .catch(() => undefined);
      await db.orm.em.fork().transactional((em) => em.execute('SELECT 1'));
      expect(commits).to.equal(1);
    } finally {
      unsubscribe();
    }
  });

  describe('an event written by a statement of its own (insertOutboxRowFrom, outboxWritten)', () => {
    /** One statement writing `row` only when `made` (a change made or not), and whether it did. */
    const writeIf = (
      em: Parameters<typeof outboxWritten>[0],
      made: boolean,
      row = outboxRowOf('shop', OrderPlaced, { orderId: 'x' }),
    ) =>
      executePrepared<{ written: number }>(
        em,
        'test:write-if',
        `WITH change AS (SELECT 1 WHERE :made), announced AS (${insertOutboxRowFrom('change')})
         SELECT count(*)::int AS written FROM change`,
        { made, ...outboxRowParams(row) },
      ).then(([result]) => ({ row, written: result!.written === 1 }));

    it('writes the row exactly as publishEvent would, and only when its source made the change', async () => {
      const { row, written } = await writeIf(db.orm.em.fork(), true);
      expect(written).to.equal(true);
      expect((await writeIf(db.orm.em.fork(), false)).written).to.equal(false);
      const rows = await outboxRows();
      expect(rows.map((stored) => stored.id)).to.deep.equal([row.id]);
      expect(rows[0]).to.include({ subject: 'shop.order.placed', type: 'test.v1.OrderPlaced' });
      expect(decodeEnvelope(toBytes(rows[0]!.envelope))).to.include({
        id: row.id,
        type: 'test.v1.OrderPlaced',
      });
    });

    it('reports the row at once outside a transaction, at the commit inside one, and not after a rollback', async () => {
      let reported = 0;
      const unsubscribe = onOutboxCommit(db.orm, () => reported++);
      try {
        const alone = db.orm.em.fork();
        await writeIf(alone, true);
        outboxWritten(alone);
        expect(reported, 'a statement on its own has committed').to.equal(1);

        await db.orm.em.fork().transactional(async (tx) => {
          await writeIf(tx, true);
          outboxWritten(tx);
          expect(reported, 'not before the commit').to.equal(1);
        });
        expect(reported, 'at the commit').to.equal(2);

        await db.orm.em
          .fork()
          .transactional(async (tx) => {
            await writeIf(tx, true);
            outboxWritten(tx);
            throw new Error('rollback');
          })
          .catch(() => undefined);
        expect(reported, 'a rolled-back row is never reported').to.equal(2);
        expect(await outboxRows()).to.have.length(2);
      } finally {
        unsubscribe();
      }
    });
  });
});
