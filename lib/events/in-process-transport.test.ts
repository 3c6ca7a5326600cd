import { expect } from 'chai';
import { InProcessTransport, TransportClosedError } from './in-process-transport.js';
import { metricsRegistry } from '../metrics.js';
import { eventually } from '../testing/eventually.js';
import type { Delivery, SubscriptionSpec } from './transport.js';
import { quietLogger } from '../testing/quiet-logger.js';

const spec = (durable: string, overrides: Partial<SubscriptionSpec> = {}): SubscriptionSpec => ({
  stream: 'shop',
  durable,
  subjects: ['shop.order.*'],
  maxDeliver: 3,
  backoffMs: [5],
  ...overrides,
});
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (delivery: Delivery) => new TextDecoder().decode(delivery.envelope);

describe('lib/events: in-process transport', () => {
  let transport: InProcessTransport;
  beforeEach(() => {
    transport = new InProcessTransport({ logger: quietLogger() });
  });
  afterEach(() => transport.close());

  it('holds a publish made before open() and delivers it once opened', async () => {
    const seen: string[] = [];
    await transport.subscribe(spec('a'), async (delivery) => {
      seen.push(text(delivery));
    });
    let settled = false;
    const publishing = transport
      .publish('shop.order.placed', bytes('one'), 'e1')
      .then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).to.equal(false);
    expect(seen).to.deep.equal([]);
    transport.open();
    await publishing;
    expect(seen).to.deep.equal(['one']);
  });

  it('resolves publish only after every matching durable has handled the event', async () => {
    transport.open();
    const done: string[] = [];
    await transport.subscribe(spec('slow'), async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      done.push('slow');
    });
    await transport.subscribe(spec('fast'), async () => {
      done.push('fast');
    });
    await transport.subscribe(spec('other', { subjects: ['shop.cart.*'] }), async () => {
      done.push('other');
    });
    await transport.subscribe(spec('elsewhere', { stream: 'bank', subjects: ['>'] }), async () => {
      done.push('elsewhere');
    });
    await transport.publish('shop.order.placed', bytes('x'), 'e1');
    expect(done.sort()).to.deep.equal(['fast', 'slow']);
  });

  it('shares one durable between its subscriptions and gives each durable every event', async () => {
    transport.open();
    const got: Record<string, number> = { a1: 0, a2: 0, b: 0 };
    await transport.subscribe(spec('a'), async () => void got.a1!++);
    await transport.subscribe(spec('a'), async () => void got.a2!++);
    await transport.subscribe(spec('b'), async () => void got.b!++);
    for (let i = 0; i < 4; i++) await transport.publish('shop.order.placed', bytes(`${i}`), `e${i}`);
    expect(got.a1! + got.a2!).to.equal(4);
    expect(got.a1).to.be.greaterThan(0);
    expect(got.a2).to.be.greaterThan(0);
    expect(got.b).to.equal(4);
  });

  it('redelivers after a throw, counting deliveries', async () => {
    transport.open();
    const counts: number[] = [];
    await transport.subscribe(spec('a'), async (delivery) => {
      counts.push(delivery.deliveryCount);
      if (delivery.deliveryCount < 3) throw new Error('not yet');
    });
    await transport.publish('shop.order.placed', bytes('x'), 'e1');
    await eventually(() => counts.length === 3, { what: 'three deliveries' });
    expect(counts).to.deep.equal([1, 2, 3]);
  });

  it('never makes a publisher wait for a failing consumer: redeliveries follow in the background', async () => {
    transport.open();
    const failing: number[] = [];
    const healthy: string[] = [];
    // A long backoff: were publish waiting for the retries, it would take 30 s per event.
    await transport.subscribe(spec('failing', { maxDeliver: 3, backoffMs: [15_000] }), async (delivery) => {
      failing.push(delivery.deliveryCount);
      throw new Error('database down');
    });
    await transport.subscribe(spec('healthy'), async (delivery) => void healthy.push(text(delivery)));
    const started = Date.now();
    for (let i = 0; i < 5; i++) await transport.publish('shop.order.placed', bytes(`${i}`), `e${i}`);
    expect(Date.now() - started).to.be.lessThan(1_000);
    expect(healthy).to.deep.equal(['0', '1', '2', '3', '4']);
    expect(failing).to.deep.equal([1, 1, 1, 1, 1]);
  });

  it('stops redelivering after maxDeliver deliveries, and counts it', async () => {
    transport.open();
    const exhausted = async () =>
      (await metricsRegistry.getSingleMetric('events_deliveries_exhausted_total')!.get()).values.find(
        (value) => value.labels.durable === 'exhausting',
      )?.value ?? 0;
    const before = await exhausted();
    let calls = 0;
    await transport.subscribe(spec('exhausting', { maxDeliver: 2 }), async () => {
      calls++;
      throw new Error('broken');
    });
    await transport.publish('shop.order.placed', bytes('x'), 'e1');
    await eventually(async () => (await exhausted()) - before === 1, { what: 'exhaustion counted' });
    expect(calls).to.equal(2);
  });

  it('waits for a durable with no live subscription, as a JetStream durable keeps messages', async () => {
    transport.open();
    const first = await transport.subscribe(spec('a'), async () => undefined);
    await first.stop();
    const seen: string[] = [];
    const publishing = transport.publish('shop.order.placed', bytes('later'), 'e1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await transport.subscribe(spec('a'), async (delivery) => void seen.push(text(delivery)));
    await publishing;
    expect(seen).to.deep.equal(['later']);
  });

  it('stop() waits for the delivery in hand; close() rejects publishes still waiting', async () => {
    let finished = false;
    const subscription = await transport.subscribe(spec('a'), async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      finished = true;
    });
    transport.open();
    const publishing = transport.publish('shop.order.placed', bytes('x'), 'e1');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await subscription.stop();
    expect(finished).to.equal(true);
    await publishing;

    const pending = transport.publish('shop.order.placed', bytes('y'), 'e2');
    await transport.close();
    expect(await pending.catch((e: unknown) => e)).to.be.instanceOf(TransportClosedError);
  });
});
