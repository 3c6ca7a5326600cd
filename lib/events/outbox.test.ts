import { expect } from 'chai';
import { openScratchDatabase, type ScratchDatabase } from '../testing/scratch-database.js';
import { jsonCodec } from '../testing/json-codec.js';
import { decodeEnvelope } from './envelope.js';
import { defineEvent } from './event-type.js';
import {
  insertOutboxRowFrom,
  outboxRowOf,
  outboxRowParams,
  publishEvent,
  RESERVED_ROW_LEASE_SECONDS,
  type OutboxRow,
} from './outbox.js';
import { withCorrelationId } from './correlation.js';
import { onOutboxCommit, outboxWritten, type OutboxCommit } from './outbox-commit.js';
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

    it('writes the row as publishEvent would, reserved for this process’s relay, and only when its source made the change', async () => {
      const { row, written } = await writeIf(db.orm.em.fork(), true);
      expect(written).to.equal(true);
      expect((await writeIf(db.orm.em.fork(), false)).written).to.equal(false);
      const rows = await outboxRows();
      expect(rows.map((stored) => stored.id)).to.deep.equal([row.id]);
      const [reserved] = await db.orm.em
        .fork()
        .execute<{ seconds: number }[]>(
          'SELECT extract(epoch FROM claimed_until - now())::float8 AS seconds FROM infra.outbox',
        );
      expect(reserved!.seconds).to.be.within(RESERVED_ROW_LEASE_SECONDS - 5, RESERVED_ROW_LEASE_SECONDS);
      expect(rows[0]).to.include({ subject: 'shop.order.placed', type: 'test.v1.OrderPlaced' });
      expect(decodeEnvelope(toBytes(rows[0]!.envelope))).to.include({
        id: row.id,
        type: 'test.v1.OrderPlaced',
      });
    });

    it('hands the row over at once outside a transaction, at the commit inside one, and never after a rollback', async () => {
      const reported: OutboxCommit[] = [];
      const unsubscribe = onOutboxCommit(db.orm, (commit) => reported.push(commit));
      const second: OutboxCommit[] = [];
      const unsubscribeSecond = onOutboxCommit(db.orm, (commit) => second.push(commit));
      const ids = (commit: OutboxCommit | undefined) => commit?.reserved.map((row) => row.id);
      try {
        const alone = db.orm.em.fork();
        const first = await writeIf(alone, true);
        outboxWritten(alone, first.row);
        expect(ids(reported[0]), 'a statement on its own has committed').to.deep.equal([first.row.id]);
        expect(reported[0]!.claimable).to.equal(false);

        let inside: { row: OutboxRow } | undefined;
        await db.orm.em.fork().transactional(async (tx) => {
          inside = await writeIf(tx, true);
          outboxWritten(tx, inside.row);
          await publishEvent(tx, 'shop', OrderPlaced, { orderId: 'to claim' });
          expect(reported, 'not before the commit').to.have.length(1);
        });
        expect(ids(reported[1]), 'at the commit').to.deep.equal([inside!.row.id]);
        expect(reported[1]!.claimable, 'with the row to claim').to.equal(true);

        await db.orm.em
          .fork()
          .transactional(async (tx) => {
            outboxWritten(tx, (await writeIf(tx, true)).row);
            throw new Error('rollback');
          })
          .catch(() => undefined);
        expect(reported, 'a rolled-back row is never handed over').to.have.length(2);
        expect(await outboxRows()).to.have.length(3);
        // Every listener hears of the commits; the rows go to the first only (one relay per database).
        expect(second.map(ids)).to.deep.equal([[], []]);
        expect(second.map((commit) => commit.claimable)).to.deep.equal([false, true]);
      } finally {
        unsubscribe();
        unsubscribeSecond();
      }
    });
  });
});
