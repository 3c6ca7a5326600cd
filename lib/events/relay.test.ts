import { expect } from 'chai';
import { openScratchDatabase, type ScratchDatabase } from '../testing/scratch-database.js';
import { jsonCodec } from '../testing/json-codec.js';
import { eventually } from '../testing/eventually.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { defineEvent } from './event-type.js';
import { insertOutboxRowFrom, outboxRowOf, outboxRowParams, publishEvent, type OutboxRow } from './outbox.js';
import { executePrepared } from '../db/prepared-statement.js';
import type { EntityManager } from '../db/orm.js';
import { outboxWritten } from './outbox-commit.js';
import { OutboxRelay } from './relay.js';
import { metricsRegistry } from '../metrics.js';
import { newId } from '../ids.js';
import type { EventTransport } from './transport.js';

const Tick = defineEvent('clock.tick.happened', 'test.v1.Tick', jsonCodec<{ n: number }>());

/** Records what it is asked to publish; can be told to fail. (A fake is fine here: this tests the relay.) */
class RecordingTransport implements EventTransport {
  published: Array<{ subject: string; eventId: string; n: number }> = [];
  failNext = 0;
  delayMs = 0;
  /** Events (by their n) this transport always refuses, as a broker refuses a message too large. */
  refused = new Set<number>();
  async publish(subject: string, envelope: Uint8Array, eventId: string): Promise<void> {
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('broker unavailable');
    }
    if (this.refused.has(Tick.decode(decodeEnvelope(envelope).payload).n)) {
      throw new Error('maximum payload exceeded');
    }
    expect(decodeEnvelope(envelope).id).to.equal(eventId);
    this.published.push({ subject, eventId, n: Tick.decode(decodeEnvelope(envelope).payload).n });
  }
  async subscribe(): Promise<never> {
    throw new Error('not used');
  }
  async close(): Promise<void> {}
}

describe('lib/events: outbox relay', () => {
  let db: ScratchDatabase;
  let relays: OutboxRelay[] = [];
  const source = 'clock';
  before(async () => {
    db = await openScratchDatabase('events_relay');
  });
  after(() => db?.drop());
  beforeEach(() => db.orm.em.fork().execute('DELETE FROM infra.outbox'));
  afterEach(async () => {
    await Promise.all(relays.map((relay) => relay.stop()));
    relays = [];
  });

  const relay = (
    transport: EventTransport,
    options: {
      idlePollMs?: number;
      maxIdlePollMs?: number;
      batchSize?: number;
      maxAttempts?: number;
      maxBackoffMs?: number;
    } = {},
  ) => {
    const created = new OutboxRelay({ orm: db.orm, transport, source, logger: quietLogger(), ...options });
    relays.push(created);
    return created;
  };
  const emit = (...ns: number[]) =>
    db.orm.em.fork().transactional(async (em) => {
      const ids: string[] = [];
      for (const n of ns) ids.push(await publishEvent(em, source, Tick, { n }));
      return ids;
    });
  /** A row written reserved by one statement of its own (insertOutboxRowFrom), not handed over. */
  const insertReserved = (em: EntityManager, row: OutboxRow) =>
    executePrepared(
      em,
      'test:write-reserved',
      `WITH change AS (SELECT 1) ${insertOutboxRowFrom('change')}`,
      outboxRowParams(row),
    );
  const unpublished = async () =>
    (
      await db.orm.em
        .fork()
        .execute<{ count: number }[]>(
          'SELECT count(*)::int AS count FROM infra.outbox WHERE published_at IS NULL',
        )
    )[0]!.count;

  it('publishes committed events oldest first, marks them, and is woken by the commit', async () => {
    const transport = new RecordingTransport();
    // A poll interval far beyond the wait below: only the commit's wake-up can get them out in time.
    relay(transport, { idlePollMs: 60_000 }).start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const first = await emit(1, 2, 3);
    const second = await emit(4);
    await eventually(() => transport.published.length === 4, { timeoutMs: 5_000, what: 'four publications' });
    expect(transport.published.map((p) => p.n)).to.deep.equal([1, 2, 3, 4]);
    expect(transport.published.map((p) => p.eventId)).to.deep.equal([...first, ...second]);
    await eventually(async () => (await unpublished()) === 0, { what: 'rows marked published' });
  });

  /** Counts the relay's claims while `body` runs. */
  const countingClaims = async (body: (claims: () => number) => Promise<void>) => {
    let claims = 0;
    const onQuery = db.orm.config.get('onQuery');
    db.orm.config.set('onQuery', (sql: string, params: unknown[]) => {
      if (sql.includes('SET claimed_until = now()')) claims++;
      return onQuery(sql, params);
    });
    try {
      await body(() => claims);
    } finally {
      db.orm.config.set('onQuery', onQuery);
    }
  };
  /** Rows written reserved by one statement of their own (insertOutboxRowFrom), handed over with outboxWritten. */
  const writeReserved = async (em: EntityManager, ...ns: number[]) => {
    const rows = ns.map((n) => outboxRowOf(source, Tick, { n }));
    for (const row of rows) {
      await insertReserved(em, row);
      outboxWritten(em, row);
    }
    return rows.map((row) => row.id);
  };

  it('looks at the outbox again after a batch smaller than its size only when woken, not at once', async () => {
    await countingClaims(async (claims) => {
      const transport = new RecordingTransport();
      relay(transport, { idlePollMs: 60_000, batchSize: 10 }).start();
      await eventually(() => claims() === 1, { what: 'the first look at the empty outbox' });
      await emit(1, 2, 3);
      await eventually(async () => (await unpublished()) === 0, { what: 'rows marked published' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      // One look at start and one for the commit: a third, right after publishing, finds nothing.
      expect(claims()).to.equal(2);
      await emit(4);
      await eventually(() => transport.published.length === 4, { what: 'the next commit published' });
      expect(claims()).to.equal(3);
    });
  });

  it('publishes rows handed over at their commit without claiming them, and marks them', async () => {
    await countingClaims(async (claims) => {
      const transport = new RecordingTransport();
      relay(transport, { idlePollMs: 60_000 }).start();
      await eventually(() => claims() === 1, { what: 'the first look at the empty outbox' });
      const alone = await writeReserved(db.orm.em.fork(), 1);
      const inside = await db.orm.em.fork().transactional((tx) => writeReserved(tx, 2, 3));
      await eventually(() => transport.published.length === 3, {
        timeoutMs: 5_000,
        what: 'three publications',
      });
      expect(transport.published.map((p) => p.eventId)).to.deep.equal([...alone, ...inside]);
      await eventually(async () => (await unpublished()) === 0, { what: 'rows marked published' });
      expect(claims(), 'no claim after the first look').to.equal(1);
    });
  });

  it('publishes the rows a commit marked for a claim before the rows handed over after them', async () => {
    const transport = new RecordingTransport();
    relay(transport, { idlePollMs: 60_000 }).start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await db.orm.em.fork().transactional(async (tx) => {
      await publishEvent(tx, source, Tick, { n: 1 });
      await writeReserved(tx, 2);
    });
    await writeReserved(db.orm.em.fork(), 3);
    await eventually(() => transport.published.length === 3, {
      timeoutMs: 5_000,
      what: 'three publications',
    });
    expect(transport.published.map((p) => p.n)).to.deep.equal([1, 2, 3]);
  });

  it('lets go of the rows handed over when a publish fails, and publishes them in order the claimed way', async () => {
    const transport = new RecordingTransport();
    relay(transport, { idlePollMs: 60_000, maxBackoffMs: 50 }).start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    transport.failNext = 1;
    const ids = await db.orm.em.fork().transactional((tx) => writeReserved(tx, 1, 2, 3));
    await eventually(() => transport.published.length === 3, {
      timeoutMs: 5_000,
      what: 'three publications',
    });
    expect(transport.published.map((p) => p.eventId)).to.deep.equal(ids);
    const [first] = await db.orm.em
      .fork()
      .execute<{ attempts: number }[]>('SELECT attempts FROM infra.outbox WHERE id = ?', [ids[0]]);
    expect(first!.attempts).to.equal(1);
    await eventually(async () => (await unpublished()) === 0, { what: 'rows marked published' });
  });

  it('leaves a reserved row nobody was handed to the claimed way once its reservation runs out', async () => {
    const transport = new RecordingTransport();
    // A crashed writer: its row reserved, handed to no relay; here its reservation has run out.
    const row = outboxRowOf(source, Tick, { n: 9 });
    await insertReserved(db.orm.em.fork(), row);
    relay(transport, { idlePollMs: 20 }).start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(transport.published, 'not while it is reserved').to.deep.equal([]);
    await db.orm.em.fork().execute("UPDATE infra.outbox SET claimed_until = now() - interval '1 second'");
    await eventually(() => transport.published.length === 1, { timeoutMs: 5_000, what: 'the publication' });
    expect(transport.published[0]!.eventId).to.equal(row.id);
  });

  it('publishes a handed-over row again once its reservation runs out when marking it published failed', async () => {
    const transport = new RecordingTransport();
    relay(transport, { idlePollMs: 20, maxBackoffMs: 50 }).start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The database refuses every mark from now on, as if it went away right after the publish.
    await db.orm.em.fork().execute(`
      CREATE FUNCTION test_refuse_mark() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'database unavailable'; END $$`);
    await db.orm.em.fork().execute(`
      CREATE TRIGGER test_refuse_mark BEFORE UPDATE OF published_at ON infra.outbox
        FOR EACH ROW WHEN (NEW.published_at IS NOT NULL) EXECUTE FUNCTION test_refuse_mark()`);
    try {
      const [id] = await writeReserved(db.orm.em.fork(), 1);
      await eventually(() => transport.published.length === 1, { timeoutMs: 5_000, what: 'the publication' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const [row] = await db.orm.em
        .fork()
        .execute<{ published: boolean; reserved: boolean }[]>(
          'SELECT published_at IS NOT NULL AS published, claimed_until > now() AS reserved FROM infra.outbox WHERE id = ?',
          [id],
        );
      expect(row, 'unmarked, still reserved: no relay takes it before its lease runs out').to.deep.equal({
        published: false,
        reserved: true,
      });
      expect(transport.published.length, 'not published again while reserved').to.equal(1);

      await db.orm.em.fork().execute('DROP TRIGGER test_refuse_mark ON infra.outbox');
      await db.orm.em.fork().execute("UPDATE infra.outbox SET claimed_until = now() - interval '1 second'");
      await eventually(async () => (await unpublished()) === 0, { timeoutMs: 5_000, what: 'the row marked' });
      // The same event id twice: JetStream's duplicate window and the consumers' inboxes absorb it.
      expect(transport.published.map((p) => p.eventId)).to.deep.equal([id, id]);
    } finally {
      await db.orm.em.fork().execute('DROP TRIGGER IF EXISTS test_refuse_mark ON infra.outbox');
      await db.orm.em.fork().execute('DROP FUNCTION IF EXISTS test_refuse_mark()');
    }
  });

  it('records a failed publish on the row, backs off, and publishes in order once the transport is back', async () => {
    const transport = new RecordingTransport();
    transport.failNext = 3;
    const [firstId] = await emit(1, 2, 3);
    relay(transport, { idlePollMs: 20 }).start();
    await eventually(() => transport.published.length === 3, { what: 'publications after recovery' });
    expect(transport.published.map((p) => p.n)).to.deep.equal([1, 2, 3]);
    const [row] = await db.orm.em
      .fork()
      .execute<{ attempts: number; last_error: string }[]>(
        'SELECT attempts, last_error FROM infra.outbox WHERE id = ?',
        [firstId],
      );
    expect(row!.attempts).to.equal(3);
    expect(row!.last_error).to.match(/broker unavailable/);
  });

  it('lets two relays on one database share the outbox without publishing an event twice', async () => {
    const transport = new RecordingTransport();
    transport.delayMs = 2;
    relay(transport, { batchSize: 5, idlePollMs: 20 }).start();
    relay(transport, { batchSize: 5, idlePollMs: 20 }).start();
    const ids = (
      await Promise.all([emit(1, 2, 3, 4, 5, 6, 7, 8), emit(9, 10, 11, 12), emit(13, 14, 15)])
    ).flat();
    await eventually(async () => (await unpublished()) === 0, { what: 'all published' });
    expect(transport.published.map((p) => p.eventId).sort()).to.deep.equal([...ids].sort());
  });

  it('stop() finishes the batch in flight', async () => {
    const transport = new RecordingTransport();
    transport.delayMs = 20;
    await emit(1, 2, 3);
    const running = relay(transport, { idlePollMs: 20 });
    running.start();
    await eventually(() => transport.published.length >= 1, { what: 'first publication' });
    await running.stop();
    expect(transport.published.map((p) => p.n)).to.deep.equal([1, 2, 3]);
    expect(await unpublished()).to.equal(0);
  });

  it('stop() gives up on a publish that cannot finish, leaving the event for later', async () => {
    const stuck: EventTransport = {
      publish: () => new Promise<void>(() => undefined),
      subscribe: () => Promise.reject(new Error('not used')),
      close: async () => undefined,
    };
    await emit(1);
    const running = relay(stuck, { idlePollMs: 20 });
    running.start();
    await eventually(
      async () =>
        (
          await db.orm.em
            .fork()
            .execute<unknown[]>('SELECT 1 FROM infra.outbox WHERE claimed_until IS NOT NULL')
        ).length === 1,
      { what: 'the event claimed' },
    );
    await running.stop(50);
    expect(await unpublished()).to.equal(1);
  });

  it('still finds, by polling, an event another process wrote long after the outbox went quiet', async () => {
    const transport = new RecordingTransport();
    relay(transport, { idlePollMs: 10, maxIdlePollMs: 80 }).start();
    // Many empty rounds: the relay now polls at its slowest, every 80 ms (uncapped doubling would
    // be waiting 1.3 s by now, and miss the bound below).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Written as another replica would: its commit wakes its own relay, not this one.
    const id = newId();
    const envelope = encodeEnvelope({
      id,
      type: Tick.typeName,
      subject: Tick.subject,
      occurredAt: new Date(),
      source,
      correlationId: id,
      payload: Buffer.from(Tick.encode({ n: 42 })),
    });
    await db.orm.em
      .fork()
      .execute('INSERT INTO infra.outbox (id, subject, type, envelope) VALUES (?, ?, ?, ?)', [
        id,
        Tick.subject,
        Tick.typeName,
        Buffer.from(envelope),
      ]);
    await eventually(() => transport.published.some((event) => event.eventId === id && event.n === 42), {
      timeoutMs: 1_000,
      what: 'the event written behind the relay',
    });
  });

  const parkedCount = async () => {
    const metric = await metricsRegistry.getSingleMetric('events_outbox_parked_total')?.get();
    return metric?.values.find((v) => v.labels.source === source)?.value ?? 0;
  };

  it('parks an event that keeps failing while later ones go out, and the stream goes on', async () => {
    const transport = new RecordingTransport();
    transport.refused.add(2);
    const parkedBefore = await parkedCount();
    const [, poison] = await emit(1, 2, 3);
    relay(transport, { idlePollMs: 10, maxAttempts: 3, maxBackoffMs: 20 }).start();
    await eventually(() => transport.published.length === 2, { what: 'the events around the refused one' });
    await emit(4);
    await eventually(() => transport.published.length === 3, { what: 'a later event' });
    expect(transport.published.map((event) => event.n)).to.deep.equal([1, 3, 4]);
    const [row] = await db.orm.em
      .fork()
      .execute<{ attempts: number; parked: boolean; published: boolean; last_error: string }[]>(
        'SELECT attempts, parked_at IS NOT NULL AS parked, published_at IS NOT NULL AS published, last_error FROM infra.outbox WHERE id = ?',
        [poison],
      );
    // Its three attempts, and the one that confirmed it fails while the transport works.
    expect(row).to.deep.include({ attempts: 4, parked: true, published: false });
    expect(row!.last_error).to.contain('maximum payload exceeded');
    expect((await parkedCount()) - parkedBefore).to.equal(1);
    expect(await unpublished()).to.equal(1);
  });

  it('parks nothing while every publish fails (the broker is down), however long it lasts', async () => {
    const transport = new RecordingTransport();
    transport.failNext = 20;
    const ids = await emit(1, 2, 3);
    relay(transport, { idlePollMs: 10, maxAttempts: 2, maxBackoffMs: 10 }).start();
    await eventually(() => transport.published.length === 3, { what: 'all three after the outage' });
    // The event that found the broker back may go out ahead of those that had used their attempts.
    expect(transport.published.map((event) => event.n).sort()).to.deep.equal([1, 2, 3]);
    // Read from the rows themselves: the parked counter is shared by every relay of the process.
    const [parked] = await db.orm.em
      .fork()
      .execute<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM infra.outbox WHERE parked_at IS NOT NULL AND id IN (?)',
        [ids],
      );
    expect(parked!.count).to.equal(0);
    expect(await unpublished()).to.equal(0);
  });

  it('reports the backlog', async () => {
    const transport = new RecordingTransport();
    transport.failNext = 1_000;
    await emit(3);
    const old = relay(transport, { idlePollMs: 20 });
    old.start();
    await eventually(
      async () => {
        const metric = await metricsRegistry.getSingleMetric('events_outbox_backlog')?.get();
        return metric?.values.find((v) => v.labels.source === source)?.value === 1;
      },
      { what: 'backlog gauge' },
    );
  });
});
