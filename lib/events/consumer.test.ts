import { expect } from 'chai';
import { Migration } from '@mikro-orm/migrations';
import { newId } from '../ids.js';
import type { EntityManager } from '../db/orm.js';
import { openScratchDatabase, type ScratchDatabase } from '../testing/scratch-database.js';
import { jsonCodec } from '../testing/json-codec.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { encodeEnvelope, decodeEnvelope, type EventEnvelope } from './envelope.js';
import { defineEvent, type EventType } from './event-type.js';
import { on, PermanentEventError, startConsumer, type RunningConsumer } from './consumer.js';
import { eventually } from '../testing/eventually.js';
import { InProcessTransport } from './in-process-transport.js';
import { publishEvent } from './outbox.js';
import { inboxClaimParams, inboxClaimSql, type Inbox, type InboxClaim } from './inbox.js';
import { executePrepared } from '../db/prepared-statement.js';
import type { DeliveryHandler, EventTransport, SubscriptionSpec } from './transport.js';
import { toBytes } from './bytes.js';

class CreateEffects extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE TABLE effects (event_id uuid NOT NULL, note text NOT NULL)');
    this.addSql('CREATE TABLE custom_inbox (event_id uuid PRIMARY KEY)');
  }
}

const Paid = defineEvent('bank.payment.captured', 'test.v1.PaymentCaptured', jsonCodec<{ note: string }>());
const Other = defineEvent('bank.payment.refunded', 'test.v1.PaymentRefunded', jsonCodec<{ note: string }>());
const Echo = defineEvent('shop.order.echoed', 'test.v1.Echoed', jsonCodec<{ note: string }>());

function envelopeOf<T>(
  event: EventType<T>,
  message: T,
  overrides: Partial<EventEnvelope> = {},
): EventEnvelope {
  return {
    id: newId(),
    type: event.typeName,
    occurredAt: new Date(),
    source: 'bank',
    correlationId: 'corr-1',
    payload: Buffer.from(event.encode(message)),
    subject: event.subject,
    ...overrides,
  };
}

/** Hands the consumer's delivery handler to the test, to deliver exactly what a case needs. */
class DirectTransport implements EventTransport {
  handler: DeliveryHandler | undefined;
  spec: SubscriptionSpec | undefined;
  async publish(): Promise<void> {}
  async subscribe(spec: SubscriptionSpec, handler: DeliveryHandler) {
    this.spec = spec;
    this.handler = handler;
    return { stop: async () => undefined };
  }
  async close(): Promise<void> {}
  deliver(envelope: EventEnvelope | Uint8Array, deliveryCount = 1, subject?: string) {
    const bytes = envelope instanceof Uint8Array ? envelope : encodeEnvelope(envelope);
    const id = envelope instanceof Uint8Array ? undefined : envelope.id;
    return this.handler!({
      subject: subject ?? (envelope as EventEnvelope).subject,
      envelope: bytes,
      eventId: id,
      deliveryCount,
    });
  }
}

describe('lib/events: consumer (inbox, retries, dead letters)', () => {
  let db: ScratchDatabase;
  let transport: InProcessTransport;
  let consumers: RunningConsumer[] = [];
  before(async () => {
    db = await openScratchDatabase('events_consumer', {
      migrations: [{ name: 'CreateEffects', class: CreateEffects }],
    });
  });
  after(() => db?.drop());
  beforeEach(async () => {
    transport = new InProcessTransport();
    transport.open();
    for (const table of ['effects', 'custom_inbox', 'infra.inbox', 'infra.dead_letters', 'infra.outbox']) {
      await db.orm.em.fork().execute(`DELETE FROM ${table}`);
    }
  });
  afterEach(async () => {
    for (const consumer of consumers) await consumer.stop();
    consumers = [];
    await transport.close();
  });

  const effects = () =>
    db.orm.em.fork().execute<{ event_id: string; note: string }[]>('SELECT * FROM effects');
  const deadLetters = () =>
    db.orm.em.fork().execute<
      {
        id: string;
        consumer: string;
        event_id: string;
        error: string;
        attempts: number;
        replayed_at: Date | null;
      }[]
    >('SELECT * FROM infra.dead_letters');
  const recordEffect = async (em: EntityManager, message: { note: string }, envelope: EventEnvelope) => {
    await em.execute('INSERT INTO effects (event_id, note) VALUES (?, ?)', [envelope.id, message.note]);
  };
  const start = async (
    handle: (em: EntityManager, message: { note: string }, envelope: EventEnvelope) => Promise<void>,
    options: { via?: EventTransport; inbox?: Inbox; maxDeliver?: number } = {},
  ) => {
    const consumer = await startConsumer({
      orm: db.orm,
      transport: options.via ?? transport,
      consumer: 'shop-payments',
      source: 'bank',
      handlers: [on(Paid, handle)],
      inbox: options.inbox,
      maxDeliver: options.maxDeliver ?? 3,
      backoffMs: [5, 10],
      logger: quietLogger(),
    });
    consumers.push(consumer);
    return consumer;
  };
  const publishTwice = async (envelope: EventEnvelope) => {
    const bytes = encodeEnvelope(envelope);
    await transport.publish(envelope.subject, bytes, envelope.id);
    await transport.publish(envelope.subject, bytes, envelope.id);
  };

  it('applies an event delivered twice only once', async () => {
    let calls = 0;
    await start(async (em, message, envelope) => {
      calls++;
      await recordEffect(em, message, envelope);
    });
    const envelope = envelopeOf(Paid, { note: 'once' });
    await publishTwice(envelope);
    expect(calls).to.equal(1);
    expect(await effects()).to.deep.equal([{ event_id: envelope.id, note: 'once' }]);
  });

  it('parks an event whose handler always fails after maxDeliver attempts, acks it and does not see it again', async () => {
    let calls = 0;
    await start(async (em, message, envelope) => {
      calls++;
      await recordEffect(em, message, envelope);
      throw new Error('downstream rule broken');
    });
    const envelope = envelopeOf(Paid, { note: 'never' });
    await transport.publish(envelope.subject, encodeEnvelope(envelope), envelope.id);
    await eventually(async () => (await deadLetters()).length > 0, { what: 'the event parked' });
    expect(calls).to.equal(3);
    const [parked, ...more] = await deadLetters();
    expect(more).to.have.length(0);
    expect(parked).to.include({ consumer: 'shop-payments', event_id: envelope.id, attempts: 3 });
    expect(parked!.error).to.match(/downstream rule broken/);
    expect(await effects()).to.have.length(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).to.equal(3);
  });

  it('parks at once, without retries, an event whose handler says the failure is permanent', async () => {
    let calls = 0;
    await start(async () => {
      calls++;
      throw new PermanentEventError('the order belongs to a deleted shop');
    });
    const envelope = envelopeOf(Paid, { note: 'hopeless' });
    await transport.publish(envelope.subject, encodeEnvelope(envelope), envelope.id);
    const [parked, ...more] = await deadLetters();
    expect(more).to.have.length(0);
    expect(parked).to.include({ event_id: envelope.id, attempts: 1 });
    expect(parked!.error).to.match(/PermanentEventError: the order belongs to a deleted shop/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).to.equal(1);
  });

  it('parks an event whatever its error says: NUL bytes and lone surrogates are stored readably', async () => {
    // PostgreSQL refuses NUL in text: the effect fails, and its error quotes the value.
    await start(recordEffect);
    const envelope = envelopeOf(Paid, { note: 'Ada\u0000Lovelace \uD800' });
    await transport.publish(envelope.subject, encodeEnvelope(envelope), envelope.id);
    const [parked] = await eventually(async () => {
      const rows = await deadLetters();
      return rows.length > 0 && rows;
    });
    expect(parked).to.include({ event_id: envelope.id, attempts: 3 });
    expect(parked!.error).to.not.include('\u0000');
    const [row] = await db.orm.em
      .fork()
      .execute<{ envelope: Uint8Array }[]>('SELECT envelope FROM infra.dead_letters');
    // The event itself is kept as it came, byte for byte, for a replay.
    expect(Buffer.from(toBytes(row!.envelope)).equals(Buffer.from(encodeEnvelope(envelope)))).to.equal(true);
  });

  it('applies once a handler that fails twice and then succeeds', async () => {
    let calls = 0;
    await start(async (em, message, envelope) => {
      calls++;
      await recordEffect(em, message, envelope);
      if (calls <= 2) throw new Error(`transient ${calls}`);
    });
    const envelope = envelopeOf(Paid, { note: 'third time' });
    await transport.publish(envelope.subject, encodeEnvelope(envelope), envelope.id);
    await eventually(async () => (await effects()).length > 0, { what: 'the effect' });
    expect(calls).to.equal(3);
    expect(await effects()).to.deep.equal([{ event_id: envelope.id, note: 'third time' }]);
    expect(await deadLetters()).to.have.length(0);
  });

  it('uses a custom inbox in the handler’s transaction', async () => {
    const customInbox: Inbox = {
      async tryClaim(em, _consumer, envelope) {
        const rows = await em.execute<unknown[]>(
          'INSERT INTO custom_inbox (event_id) VALUES (?) ON CONFLICT DO NOTHING RETURNING event_id',
          [envelope.id],
        );
        return rows.length > 0;
      },
    };
    await start(recordEffect, { inbox: customInbox });
    const envelope = envelopeOf(Paid, { note: 'custom' });
    await publishTwice(envelope);
    expect(await effects()).to.have.length(1);
    expect(await db.orm.em.fork().execute('SELECT * FROM custom_inbox')).to.deep.equal([
      { event_id: envelope.id },
    ]);
    expect(await db.orm.em.fork().execute('SELECT * FROM infra.inbox')).to.have.length(0);
  });

  it('acknowledges subjects it has no handler for, parks wrong types and garbage at once', async () => {
    const direct = new DirectTransport();
    await start(recordEffect, { via: direct });
    expect(direct.spec).to.include({ stream: 'bank', durable: 'shop-payments', maxDeliver: 4 });
    expect(direct.spec!.subjects).to.deep.equal(['bank.payment.captured']);

    await direct.deliver(envelopeOf(Other, { note: 'not mine' }));
    expect(await effects()).to.have.length(0);
    expect(await deadLetters()).to.have.length(0);

    const mislabelled = envelopeOf(Paid, { note: 'x' }, { type: 'test.v1.SomethingElse' });
    await direct.deliver(mislabelled);
    await direct.deliver(new Uint8Array([0xff, 0xff, 0xff]), 1, 'bank.payment.captured');
    const parked = await deadLetters();
    expect(parked).to.have.length(2);
    expect(parked.map((row) => row.error).join('\n')).to.match(/expected test\.v1\.PaymentCaptured/);
    expect(parked.map((row) => row.error).join('\n')).to.match(/undecodable event envelope/);
  });

  it('replays a dead letter through the same handler and inbox, once', async () => {
    let broken = true;
    const consumer = await start(async (em, message, envelope) => {
      if (broken) throw new Error('still broken');
      await recordEffect(em, message, envelope);
    });
    const envelope = envelopeOf(Paid, { note: 'replayed' });
    await transport.publish(envelope.subject, encodeEnvelope(envelope), envelope.id);
    const [parked] = await eventually(async () => {
      const rows = await deadLetters();
      return rows.length > 0 && rows;
    });

    const failedAgain = await consumer.replayDeadLetter(parked!.id).catch((e: unknown) => e);
    expect((failedAgain as Error).message).to.equal('still broken');
    expect((await deadLetters())[0]).to.include({ attempts: 4, replayed_at: null });

    broken = false;
    expect(await consumer.replayDeadLetter(parked!.id)).to.equal('applied');
    expect(await consumer.replayDeadLetter(parked!.id)).to.equal('duplicate');
    expect(await effects()).to.deep.equal([{ event_id: envelope.id, note: 'replayed' }]);
    expect((await deadLetters())[0]!.replayed_at).to.not.equal(null);
  });

  it('gives events published by a handler the consumed event’s correlation id', async () => {
    await start(async (em, message) => {
      await publishEvent(em, 'shop', Echo, message);
    });
    const envelope = envelopeOf(Paid, { note: 'echo' }, { correlationId: 'checkout-42' });
    await transport.publish(envelope.subject, encodeEnvelope(envelope), envelope.id);
    const [row] = await db.orm.em
      .fork()
      .execute<{ envelope: Uint8Array }[]>('SELECT envelope FROM infra.outbox');
    expect(decodeEnvelope(toBytes(row!.envelope)).correlationId).to.equal('checkout-42');
  });

  describe('a handler with its usual case in one statement (atOnce)', () => {
    const inboxRows = () =>
      db.orm.em.fork().execute<{ event_id: string }[]>('SELECT event_id FROM infra.inbox');
    /** The effect and the claim in one statement; a note starting with "general" is left to the handler. */
    const recordAtOnce = async (
      em: EntityManager,
      message: { note: string },
      _envelope: EventEnvelope,
      claim: InboxClaim,
    ) => {
      const [row] = await executePrepared<{ applied: number }>(
        em,
        'test:record-at-once',
        `WITH claimed AS (${inboxClaimSql("NOT starts_with(:note::text, 'general')")}),
              effect AS (INSERT INTO effects (event_id, note) SELECT event_id, :note::text FROM claimed RETURNING 1)
         SELECT count(*)::int AS applied FROM effect`,
        { note: message.note, ...inboxClaimParams(claim) },
      );
      return row!.applied === 1;
    };
    const startAtOnce = async (options: { via?: EventTransport; inbox?: Inbox } = {}) => {
      const calls = { atOnce: 0, handler: 0 };
      const consumer = await startConsumer({
        orm: db.orm,
        transport: options.via ?? transport,
        consumer: 'shop-payments',
        source: 'bank',
        handlers: [
          on(
            Paid,
            async (em, message, envelope) => {
              calls.handler++;
              await recordEffect(em, message, envelope);
            },
            {
              atOnce: async (em, message, envelope, claim) => {
                calls.atOnce++;
                return recordAtOnce(em, message, envelope, claim);
              },
            },
          ),
        ],
        inbox: options.inbox,
        maxDeliver: 3,
        backoffMs: [5, 10],
        logger: quietLogger(),
      });
      consumers.push(consumer);
      return { consumer, calls };
    };

    it('applies the event and claims it in that statement; a repeat is a duplicate, applied nowhere', async () => {
      const { calls } = await startAtOnce();
      const envelope = envelopeOf(Paid, { note: 'plain' });
      await publishTwice(envelope);
      expect(calls).to.deep.equal({ atOnce: 2, handler: 0 });
      expect(await effects()).to.deep.equal([{ event_id: envelope.id, note: 'plain' }]);
      expect(await inboxRows()).to.deep.equal([{ event_id: envelope.id }]);
    });

    it('hands what the statement does not apply to the handler, in the transaction with the claim', async () => {
      const { calls } = await startAtOnce();
      const envelope = envelopeOf(Paid, { note: 'general case' });
      await publishTwice(envelope);
      expect(calls).to.deep.equal({ atOnce: 2, handler: 1 });
      expect(await effects()).to.deep.equal([{ event_id: envelope.id, note: 'general case' }]);
      expect(await inboxRows()).to.deep.equal([{ event_id: envelope.id }]);
    });

    it('applies one event delivered ten times at once only once', async () => {
      const direct = new DirectTransport();
      const { calls } = await startAtOnce({ via: direct });
      const envelope = envelopeOf(Paid, { note: 'rush' });
      await Promise.all(Array.from({ length: 10 }, () => direct.deliver(envelope)));
      expect(calls.handler).to.equal(0);
      expect(await effects()).to.deep.equal([{ event_id: envelope.id, note: 'rush' }]);
      expect(await inboxRows()).to.deep.equal([{ event_id: envelope.id }]);
    });

    it('is not used with a custom inbox, nor by a dead letter’s replay', async () => {
      const customInbox: Inbox = {
        async tryClaim(em, _consumer, envelope) {
          const rows = await em.execute<unknown[]>(
            'INSERT INTO custom_inbox (event_id) VALUES (?) ON CONFLICT DO NOTHING RETURNING event_id',
            [envelope.id],
          );
          return rows.length > 0;
        },
      };
      const custom = await startAtOnce({ inbox: customInbox });
      await publishTwice(envelopeOf(Paid, { note: 'custom' }));
      expect(custom.calls).to.deep.equal({ atOnce: 0, handler: 1 });
      expect(await inboxRows()).to.have.length(0);
      await custom.consumer.stop();

      const direct = new DirectTransport();
      const { consumer, calls } = await startAtOnce({ via: direct });
      const envelope = envelopeOf(Paid, { note: 'parked' });
      const parkedId = newId();
      await db.orm.em.fork().execute(
        `INSERT INTO infra.dead_letters (id, consumer, event_id, subject, envelope, error, attempts)
         VALUES (?, 'shop-payments', ?, ?, ?, 'was broken', 3)`,
        [parkedId, envelope.id, envelope.subject, Buffer.from(encodeEnvelope(envelope))],
      );
      expect(await consumer.replayDeadLetter(parkedId)).to.equal('applied');
      expect(calls).to.deep.equal({ atOnce: 0, handler: 1 });
      expect((await effects()).map((row) => row.note)).to.deep.equal(['custom', 'parked']);
    });
  });
});
