import { randomUUID } from 'node:crypto';
import { connectNatsTransport, decodeEnvelope, type EventTransport } from '../../lib/events/index.js';
import { eventually } from '../../lib/testing/eventually.js';
import type { TestMesh } from './mesh.js';

/** The decoders of the subjects a tap reads, by subject. */
export type Codecs = Record<string, { decode(bytes: Uint8Array): unknown }>;
type MessageOf<C extends Codecs, S extends keyof C> = ReturnType<C[S]['decode']>;

/** One event as the tap received it: a redelivery of the same event has the same `eventId`. */
export interface TappedEvent<M> {
  eventId: string;
  message: M;
}

export interface EventTapOptions<C extends Codecs> {
  /** The publishing service whose events to read. */
  stream: string;
  codecs: C;
  /** Read from this NATS server rather than the mesh's transport (a test that cuts the mesh's NATS). */
  natsUrl?: string;
}

/**
 * Reads a service's events as a consumer of its own would: a durable subscription (a fresh durable
 * per tap, which starts at the beginning of the stream, so it also sees what this run published
 * before it started: match on the ids a test made) on the mesh's event transport, or on a
 * connection of its own to NATS (in the mesh's EVENTS_NAMESPACE) for a process mesh. Every delivery
 * is kept, redeliveries included.
 */
export class EventTap<C extends Codecs> {
  private readonly seen: { subject: string; eventId: string; message: unknown }[] = [];
  private readonly stopFns: (() => Promise<void>)[] = [];

  static async start<C extends Codecs>(mesh: TestMesh, options: EventTapOptions<C>): Promise<EventTap<C>> {
    const tap = new EventTap<C>();
    let transport: EventTransport | undefined = options.natsUrl ? undefined : mesh.events;
    if (!transport) {
      const url = options.natsUrl ?? process.env.NATS_URL;
      if (!url) throw new Error('a process mesh needs NATS_URL to observe events');
      const nats = await connectNatsTransport(url, {
        name: `${options.stream}-event-tap`,
        // The mesh's namespace, as the services it observes have it.
        namespace: mesh.eventsNamespace,
      });
      transport = nats;
      tap.stopFns.push(() => nats.close());
    }
    const subscription = await transport.subscribe(
      {
        stream: options.stream,
        durable: `tap-${randomUUID()}`,
        subjects: Object.keys(options.codecs),
        maxDeliver: 5,
        backoffMs: [50],
      },
      async (delivery) => {
        const codec = options.codecs[delivery.subject];
        if (!codec) return;
        const envelope = decodeEnvelope(delivery.envelope);
        tap.seen.push({
          subject: delivery.subject,
          eventId: envelope.id,
          message: codec.decode(envelope.payload),
        });
      },
    );
    tap.stopFns.unshift(() => subscription.stop());
    return tap;
  }

  /** Every delivery of `subject` so far whose message matches, with its event id. */
  deliveries<S extends keyof C & string>(
    subject: S,
    match: (message: MessageOf<C, S>) => boolean = () => true,
  ): TappedEvent<MessageOf<C, S>>[] {
    return this.seen
      .filter((event) => event.subject === subject)
      .map((event) => ({ eventId: event.eventId, message: event.message as MessageOf<C, S> }))
      .filter((event) => match(event.message));
  }

  /** Every event of `subject` seen so far that matches. */
  all<S extends keyof C & string>(
    subject: S,
    match: (message: MessageOf<C, S>) => boolean = () => true,
  ): MessageOf<C, S>[] {
    return this.deliveries(subject, match).map((event) => event.message);
  }

  /** Waits for the first event of `subject` that matches. */
  next<S extends keyof C & string>(
    subject: S,
    match: (message: MessageOf<C, S>) => boolean,
  ): Promise<MessageOf<C, S>> {
    return eventually(() => this.all(subject, match)[0], { timeoutMs: 15_000, what: `${subject} event` });
  }

  /** Stop after the mesh: an in-process durable without members would hold the relays' publishes. */
  async stop(): Promise<void> {
    for (const stop of this.stopFns) await stop().catch(() => undefined);
  }
}
