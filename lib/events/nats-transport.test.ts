import { expect } from 'chai';
import { connect, StorageType } from 'nats';
import { TcpProxy } from '../testing/tcp-proxy.js';
import { eventually } from '../testing/eventually.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { deleteStreams, natsTestUrl, uniqueServiceName } from '../testing/nats-scratch.js';
import { newId } from '../ids.js';
import { connectNatsTransport, NatsUnavailableError, type NatsTransport } from './nats-transport.js';
import { streamNameOf } from './nats-names.js';
import type { Delivery, SubscriptionSpec } from './transport.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (delivery: Delivery) => new TextDecoder().decode(delivery.envelope);

describe('lib/events: NATS JetStream transport (needs NATS)', function () {
  const service = uniqueServiceName('natst');
  const subject = `${service}.order.placed`;
  const spec = (durable: string, overrides: Partial<SubscriptionSpec> = {}): SubscriptionSpec => ({
    stream: service,
    durable,
    subjects: [subject],
    maxDeliver: 4,
    backoffMs: [20, 40],
    ...overrides,
  });
  const url = new URL(natsTestUrl());
  let transports: NatsTransport[] = [];
  let proxies: TcpProxy[] = [];
  const open = async (server = natsTestUrl(), namespace?: string) => {
    const transport = await connectNatsTransport(server, {
      name: `test-${service}`,
      namespace,
      logger: quietLogger(),
      reconnectWaitMs: 100,
      publishTimeoutMs: 2_000,
    });
    transports.push(transport);
    return transport;
  };
  const proxy = async () => {
    const started = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 4222) });
    proxies.push(started);
    return started;
  };
  const streamInfo = async () => {
    const nc = await connect({ servers: natsTestUrl() });
    try {
      return await (await nc.jetstreamManager()).streams.info(streamNameOf(service));
    } finally {
      await nc.close();
    }
  };

  afterEach(async () => {
    await Promise.all(transports.map((transport) => transport.close()));
    await Promise.all(proxies.map((p) => p.close()));
    transports = [];
    proxies = [];
  });
  const scratchStreams = [streamNameOf(service)];
  after(() => deleteStreams(scratchStreams));

  it('creates the publisher’s stream on first use and delivers to a durable consumer', async () => {
    const transport = await open();
    await transport.waitUntilConnected();
    const seen: string[] = [];
    await transport.subscribe(spec('roundtrip'), async (delivery) => {
      expect(delivery.deliveryCount).to.equal(1);
      seen.push(text(delivery));
    });
    const id = newId();
    await transport.publish(subject, bytes('hello'), id);
    await eventually(() => seen.length === 1, { what: 'delivery' });
    expect(seen).to.deep.equal(['hello']);
    const info = await streamInfo();
    expect(info.config.subjects).to.deep.equal([`${service}.>`]);
    expect(info.config.storage).to.equal(StorageType.File);
    expect(info.config.duplicate_window).to.equal(120_000_000_000);
  });

  it('stores an event published twice with the same id once', async () => {
    const transport = await open();
    await transport.waitUntilConnected();
    const before = (await streamInfo().catch(() => undefined))?.state.messages ?? 0;
    const id = newId();
    await transport.publish(subject, bytes('once'), id);
    await transport.publish(subject, bytes('once'), id);
    expect((await streamInfo()).state.messages).to.equal(before + 1);
  });

  it('redelivers after a failure with the delivery count, and stops at maxDeliver', async () => {
    const transport = await open();
    await transport.waitUntilConnected();
    const counts: Record<string, number[]> = {};
    await transport.subscribe(spec('retries', { maxDeliver: 3 }), async (delivery) => {
      const body = text(delivery);
      (counts[body] ??= []).push(delivery.deliveryCount);
      if (body === 'flaky' && delivery.deliveryCount < 3) throw new Error('not yet');
      if (body === 'poison') throw new Error('never');
    });
    await transport.publish(subject, bytes('poison'), newId());
    await transport.publish(subject, bytes('flaky'), newId());
    await eventually(() => counts.flaky?.length === 3 && counts.poison?.length === 3, {
      what: 'three deliveries each',
    });
    await transport.publish(subject, bytes('marker'), newId());
    await eventually(() => counts.marker?.length === 1, { what: 'a later event' });
    expect(counts.flaky).to.deep.equal([1, 2, 3]);
    expect(counts.poison).to.deep.equal([1, 2, 3]);
  });

  it('shares a durable between its subscriptions and gives every durable each event', async () => {
    // Durables start at the beginning of the stream: a subject of its own keeps earlier tests' events out.
    const shareSubject = `${service}.share.tested`;
    const [a, b] = [await open(), await open()];
    const got = { shared1: 0, shared2: 0, own: 0 };
    const shareSpec = (durable: string) => spec(durable, { subjects: [shareSubject] });
    await a.subscribe(shareSpec('shared'), async () => void got.shared1++);
    await b.subscribe(shareSpec('shared'), async () => void got.shared2++);
    await a.subscribe(shareSpec('own'), async () => void got.own++);
    await a.waitUntilConnected();
    for (let i = 0; i < 6; i++) await a.publish(shareSubject, bytes(`${i}`), newId());
    await eventually(() => got.own === 6 && got.shared1 + got.shared2 === 6, { what: 'deliveries' });
  });

  it('has the server send a one-subject durable only its subject, and lifts that filter when it gains one', async () => {
    const [mine, other, added] = ['mine', 'other', 'added'].map((name) => `${service}.filtered.${name}`) as [
      string,
      string,
      string,
    ];
    const consumerInfo = async () => {
      const nc = await connect({ servers: natsTestUrl() });
      try {
        return await (await nc.jetstreamManager()).consumers.info(streamNameOf(service), 'filtered');
      } finally {
        await nc.close();
      }
    };
    const transport = await open();
    await transport.waitUntilConnected();
    const seen: string[] = [];
    const collect = async (delivery: Delivery) => void seen.push(text(delivery));
    const first = await transport.subscribe(spec('filtered', { subjects: [mine] }), collect);
    await transport.publish(other, bytes('not mine'), newId());
    await transport.publish(mine, bytes('mine'), newId());
    await eventually(() => seen.includes('mine'), { what: 'the subscribed event' });
    // Only the subscribed event reached the consumer: the other one was never sent to it.
    expect((await consumerInfo()).delivered.consumer_seq).to.equal(1);
    await first.stop();

    await transport.subscribe(spec('filtered', { subjects: [mine, added] }), collect);
    await transport.publish(added, bytes('added'), newId());
    await transport.publish(mine, bytes('mine again'), newId());
    await eventually(() => seen.includes('added') && seen.includes('mine again'), { what: 'both subjects' });
    expect(seen).to.deep.equal(['mine', 'added', 'mine again']);
  });

  it('keeps namespaces apart on one server, and uses the plain names without one', async () => {
    // One service, subject and durable name for all three: only the namespace tells them apart.
    const [red, blue] = [uniqueServiceName('nsr'), uniqueServiceName('nsb')];
    const namespaceSubject = `${service}.namespace.tested`;
    scratchStreams.push(streamNameOf(service, red), streamNameOf(service, blue));
    const seen = new Map<string, string[]>();
    for (const namespace of [red, blue, undefined]) {
      const label = namespace ?? 'none';
      const transport = await open(natsTestUrl(), namespace);
      await transport.waitUntilConnected();
      seen.set(label, []);
      await transport.subscribe(spec('everyone', { subjects: [namespaceSubject] }), async (delivery) => {
        expect(delivery.subject).to.equal(namespaceSubject);
        seen.get(label)!.push(text(delivery));
      });
      await transport.publish(namespaceSubject, bytes(`from ${label}`), newId());
    }
    await eventually(() => [...seen.values()].every((got) => got.length > 0), { what: 'each its own event' });
    // Anything the others published would have arrived by now: their publishes went first.
    const marker = newId();
    for (const transport of transports) await transport.publish(namespaceSubject, bytes(marker), newId());
    await eventually(() => [...seen.values()].every((got) => got.includes(marker)), { what: 'markers' });
    expect(Object.fromEntries(seen)).to.deep.equal({
      [red]: [`from ${red}`, marker],
      [blue]: [`from ${blue}`, marker],
      none: ['from none', marker],
    });

    const nc = await connect({ servers: natsTestUrl() });
    try {
      const jsm = await nc.jetstreamManager();
      const plain = await jsm.streams.info(`EVENTS_${service.toUpperCase()}`);
      expect(plain.config.subjects).to.deep.equal([`${service}.>`]);
      const plainConsumer = await jsm.consumers.info(plain.config.name, 'everyone');
      expect(plainConsumer.config.filter_subjects ?? [plainConsumer.config.filter_subject]).to.deep.equal([
        namespaceSubject,
      ]);
      const ours = await jsm.streams.info(`${red}_EVENTS_${service.toUpperCase()}`);
      expect(ours.config.subjects).to.deep.equal([`${red}.${service}.>`]);
      const ourConsumer = await jsm.consumers.info(ours.config.name, `${red}_everyone`);
      expect(ourConsumer.config.filter_subjects ?? [ourConsumer.config.filter_subject]).to.deep.equal([
        `${red}.${namespaceSubject}`,
      ]);
    } finally {
      await nc.close();
    }
  });

  it('fails publishes fast while NATS is unreachable and resumes by itself once it is back', async () => {
    const link = await proxy();
    const transport = await open(link.url('nats'));
    await transport.waitUntilConnected();
    const seen: string[] = [];
    await transport.subscribe(spec('outage'), async (delivery) => void seen.push(text(delivery)));
    await transport.publish(subject, bytes('before'), newId());
    await eventually(() => seen.includes('before'), { what: 'delivery before the outage' });

    await link.cut();
    await eventually(() => !transport.isConnected, { what: 'disconnect noticed' });
    const error = await transport.publish(subject, bytes('during'), newId()).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(NatsUnavailableError);

    await link.restore();
    await transport.waitUntilConnected();
    await eventually(
      async () => {
        await transport.publish(subject, bytes('after'), newId());
        return true;
      },
      { what: 'publish after reconnect' },
    );
    await eventually(() => seen.includes('after'), { what: 'delivery after the outage' });
  });

  it('starts while NATS is unreachable and connects once it appears', async () => {
    const link = await proxy();
    await link.cut();
    const transport = await open(link.url('nats'));
    const seen: string[] = [];
    await transport.subscribe(spec('late-start'), async (delivery) => void seen.push(text(delivery)));
    expect(
      await transport.publish(subject, bytes('too early'), newId()).catch((e: unknown) => e),
    ).to.be.instanceOf(NatsUnavailableError);
    await link.restore();
    await transport.waitUntilConnected();
    await transport.publish(subject, bytes('on time'), newId());
    await eventually(() => seen.includes('on time'), { what: 'delivery' });
  });

  it('closes without hanging when it never connected', async () => {
    const link = await proxy();
    await link.cut();
    const transport = await open(link.url('nats'));
    await transport.subscribe(spec('never'), async () => undefined);
    await transport.close();
  });
});
