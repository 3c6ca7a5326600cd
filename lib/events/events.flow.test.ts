import { expect } from 'chai';
import { Migration } from '@mikro-orm/migrations';
import { openScratchDatabase, type ScratchDatabase } from '../testing/scratch-database.js';
import { jsonCodec } from '../testing/json-codec.js';
import { eventually } from '../testing/eventually.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { TcpProxy } from '../testing/tcp-proxy.js';
import { deleteStreams, natsTestUrl, uniqueServiceName } from '../testing/nats-scratch.js';
import { defineEvent } from './event-type.js';
import { publishEvent } from './outbox.js';
import { OutboxRelay } from './relay.js';
import { on, startConsumer, type RunningConsumer } from './consumer.js';
import { InProcessTransport } from './in-process-transport.js';
import { connectNatsTransport, type NatsTransport } from './nats-transport.js';
import { streamNameOf } from './nats-names.js';
import type { EventTransport } from './transport.js';
import { toBytes } from './bytes.js';
import { newId } from '../ids.js';

class CreateShipments extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE TABLE shipments (order_id text PRIMARY KEY)');
  }
}

const eventFor = (service: string) =>
  defineEvent(`${service}.order.confirmed`, 'test.v1.OrderConfirmed', jsonCodec<{ orderId: string }>());

/**
 * Publisher and consumer on their own databases, with the relay between them: over NATS JetStream
 * when NATS_URL is set, in process otherwise. The outage case always uses the real NATS (through a
 * proxy it can cut).
 */
describe('lib/events: outbox → relay → transport → consumer', function () {
  // A publisher of its own per test: a new durable starts at the beginning of its stream.
  let shop = '';
  let OrderConfirmed = eventFor('none');
  const streams: string[] = [];
  const natsMode = Boolean(process.env.NATS_URL);
  let usedNats = false;
  let publisherDb: ScratchDatabase;
  let consumerDb: ScratchDatabase;
  let stops: Array<() => Promise<void>> = [];
  let consumerName = '';
  let failing = new Set<string>();
  let handled: string[] = [];

  before(async () => {
    publisherDb = await openScratchDatabase('flow_pub');
    consumerDb = await openScratchDatabase('flow_sub', {
      migrations: [{ name: 'CreateShipments', class: CreateShipments }],
    });
  });
  after(async () => {
    await publisherDb?.drop();
    await consumerDb?.drop();
    if (usedNats) await deleteStreams(streams);
  });
  beforeEach(async () => {
    consumerName = uniqueServiceName('ship');
    shop = uniqueServiceName('flow');
    OrderConfirmed = eventFor(shop);
    streams.push(streamNameOf(shop));
    failing = new Set();
    handled = [];
    await publisherDb.orm.em.fork().execute('DELETE FROM infra.outbox');
    await consumerDb.orm.em.fork().execute('DELETE FROM shipments');
  });
  afterEach(async () => {
    for (const stop of stops.reverse()) await stop();
    stops = [];
  });

  async function transportFor(mode: 'default' | 'nats', url = natsTestUrl()): Promise<EventTransport> {
    if (mode === 'nats' || natsMode) {
      usedNats = true;
      const nats: NatsTransport = await connectNatsTransport(url, {
        name: consumerName,
        logger: quietLogger(),
        reconnectWaitMs: 100,
        publishTimeoutMs: 2_000,
      });
      stops.push(() => nats.close());
      return nats;
    }
    const inProcess = new InProcessTransport({ logger: quietLogger() });
    stops.push(() => inProcess.close());
    return inProcess;
  }

  async function startPipeline(transport: EventTransport): Promise<RunningConsumer> {
    const consumer = await startConsumer({
      orm: consumerDb.orm,
      transport,
      consumer: consumerName,
      source: shop,
      maxDeliver: 3,
      backoffMs: [10, 20],
      logger: quietLogger(),
      handlers: [
        on(OrderConfirmed, async (em, { orderId }) => {
          handled.push(orderId);
          if (failing.has(orderId)) throw new Error(`cannot ship ${orderId}`);
          await em.execute('INSERT INTO shipments (order_id) VALUES (?)', [orderId]);
        }),
      ],
    });
    stops.push(() => consumer.stop());
    const relay = new OutboxRelay({ orm: publisherDb.orm, transport, source: shop, logger: quietLogger() });
    relay.start();
    stops.push(() => relay.stop());
    return consumer;
  }

  const confirm = (orderId: string, thenFail = false) =>
    publisherDb.orm.em.fork().transactional(async (em) => {
      const id = await publishEvent(em, shop, OrderConfirmed, { orderId });
      if (thenFail) throw new Error('rolled back');
      return id;
    });
  const shipments = async () =>
    (
      await consumerDb.orm.em
        .fork()
        .execute<{ order_id: string }[]>('SELECT order_id FROM shipments ORDER BY 1')
    ).map((row) => row.order_id);
  const outboxRow = async (id: string) =>
    (
      await publisherDb.orm.em
        .fork()
        .execute<{ published_at: Date | null; attempts: number }[]>(
          'SELECT published_at, attempts FROM infra.outbox WHERE id = ?',
          [id],
        )
    )[0];

  it('delivers a committed event and never one whose transaction rolled back', async () => {
    const transport = await transportFor('default');
    await startPipeline(transport);
    (transport as Partial<InProcessTransport>).open?.();
    await confirm('rolled-back', true).catch(() => undefined);
    await confirm('o-1');
    await eventually(async () => (await shipments()).includes('o-1'), { what: 'o-1 shipped' });
    expect(await shipments()).to.deep.equal(['o-1']);
    expect(handled).to.deep.equal(['o-1']);
    const count = await publisherDb.orm.em
      .fork()
      .execute<{ n: number }[]>('SELECT count(*)::int AS n FROM infra.outbox');
    expect(count[0]!.n).to.equal(1);
  });

  it('applies an event published again (a relay crash before marking it) only once', async () => {
    const transport = await transportFor('default');
    await startPipeline(transport);
    (transport as Partial<InProcessTransport>).open?.();
    const id = await confirm('o-2');
    await eventually(async () => (await outboxRow(id))?.published_at, { what: 'o-2 published' });
    await eventually(async () => (await shipments()).includes('o-2'), { what: 'o-2 shipped' });
    await publisherDb.orm.em.fork().execute('UPDATE infra.outbox SET published_at = NULL WHERE id = ?', [id]);
    await confirm('o-3');
    await eventually(async () => (await shipments()).includes('o-3'), { what: 'o-3 shipped' });
    await eventually(async () => (await outboxRow(id))?.published_at, { what: 'o-2 published again' });
    expect(await shipments()).to.deep.equal(['o-2', 'o-3']);
  });

  it('applies an event that reaches the consumer twice (past the duplicate window) only once', async () => {
    const transport = await transportFor('default');
    await startPipeline(transport);
    (transport as Partial<InProcessTransport>).open?.();
    const id = await confirm('o-dup');
    await eventually(async () => (await shipments()).includes('o-dup'), { what: 'o-dup shipped' });
    const [row] = await publisherDb.orm.em
      .fork()
      .execute<{ subject: string; envelope: Uint8Array }[]>(
        'SELECT subject, envelope FROM infra.outbox WHERE id = ?',
        [id],
      );
    // A different message id gets past JetStream's duplicate detection, as an old re-publication would.
    await transport.publish(row!.subject, toBytes(row!.envelope), newId());
    await confirm('o-next');
    await eventually(async () => (await shipments()).includes('o-next'), { what: 'o-next shipped' });
    await eventually(
      async () =>
        (
          await consumerDb.orm.em
            .fork()
            .execute<unknown[]>('SELECT 1 FROM infra.inbox WHERE consumer = ? AND event_id = ?', [
              consumerName,
              id,
            ])
        ).length === 1,
      { what: 'inbox entry' },
    );
    expect(handled.filter((orderId) => orderId === 'o-dup')).to.have.length(1);
    expect(await shipments()).to.deep.equal(['o-dup', 'o-next']);
  });

  it('parks an event its handler keeps failing, and goes on with the next', async () => {
    const transport = await transportFor('default');
    const consumer = await startPipeline(transport);
    (transport as Partial<InProcessTransport>).open?.();
    failing.add('o-bad');
    const badId = await confirm('o-bad');
    await confirm('o-good');
    await eventually(async () => (await shipments()).includes('o-good'), { what: 'o-good shipped' });
    const parked = await eventually(
      async () =>
        (
          await consumerDb.orm.em
            .fork()
            .execute<{ id: string; event_id: string; attempts: number; error: string }[]>(
              'SELECT * FROM infra.dead_letters WHERE consumer = ?',
              [consumerName],
            )
        )[0],
      { what: 'dead letter' },
    );
    expect(parked).to.include({ event_id: badId, attempts: 3 });
    expect(parked.error).to.match(/cannot ship o-bad/);
    expect(handled.filter((orderId) => orderId === 'o-bad')).to.have.length(3);
    await eventually(async () => (await outboxRow(badId))?.published_at, { what: 'o-bad acknowledged' });

    failing.clear();
    expect(await consumer.replayDeadLetter(parked.id)).to.equal('applied');
    expect(await shipments()).to.deep.equal(['o-bad', 'o-good']);
  });

  it('keeps the event in the outbox while NATS is unreachable and delivers it once NATS is back (needs NATS)', async () => {
    const url = new URL(natsTestUrl());
    const link = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 4222) });
    stops.push(() => link.close());
    const transport = (await transportFor('nats', link.url('nats'))) as NatsTransport;
    await startPipeline(transport);
    await transport.waitUntilConnected();

    await link.cut();
    const id = await confirm('o-outage');
    await eventually(async () => ((await outboxRow(id))?.attempts ?? 0) >= 2, {
      what: 'failed publish attempts',
    });
    expect((await outboxRow(id))?.published_at).to.equal(null);
    expect(await shipments()).to.deep.equal([]);

    await link.restore();
    await eventually(async () => (await shipments()).includes('o-outage'), { what: 'o-outage shipped' });
    expect((await outboxRow(id))?.published_at).to.not.equal(null);
  });

  it('in process: holds events until open(), then delivers them', async () => {
    const transport = new InProcessTransport({ logger: quietLogger() });
    stops.push(() => transport.close());
    await startPipeline(transport);
    const id = await confirm('o-early');
    await eventually(
      async () =>
        (
          await publisherDb.orm.em
            .fork()
            .execute<unknown[]>('SELECT 1 FROM infra.outbox WHERE id = ? AND claimed_until IS NOT NULL', [id])
        ).length === 1,
      { what: 'the relay holding the event' },
    );
    expect(handled).to.deep.equal([]);
    transport.open();
    await eventually(async () => (await shipments()).includes('o-early'), { what: 'o-early shipped' });
    await eventually(async () => (await outboxRow(id))?.published_at, { what: 'o-early published' });
  });
});
