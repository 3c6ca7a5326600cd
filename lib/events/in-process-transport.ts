import { rootLogger, type Logger } from '../log.js';
import { serviceOfSubject } from './event-type.js';
import { deliveriesExhausted } from './metrics.js';
import {
  redeliveryDelay,
  subjectMatches,
  type Delivery,
  type DeliveryHandler,
  type EventTransport,
  type SubscriptionSpec,
  type TransportSubscription,
} from './transport.js';

export class TransportClosedError extends Error {
  constructor() {
    super('event transport is closed');
    this.name = 'TransportClosedError';
  }
}

interface Member {
  handler: DeliveryHandler;
  inFlight: Set<Promise<void>>;
}

/** A durable subscription: it outlives its members, like a JetStream durable consumer. */
interface Durable {
  spec: SubscriptionSpec;
  members: Member[];
  next: number;
  /** Deliveries waiting for a member to (re)appear. */
  waiting: Array<{ resolve: (member: Member) => void; reject: (error: Error) => void }>;
}

/**
 * Events between services in one process (embedded mode), with the same at-least-once contract as
 * JetStream but without a broker.
 *
 * - `publish` resolves once every durable subscription matching the subject has had the event
 *   delivered once, handled or not: the relay marks the outbox row published when every consumer
 *   has committed its effect or failed once. A failed delivery is redelivered in the background
 *   after the durable's backoff, up to `maxDeliver` deliveries (then it is logged and counted in
 *   `events_deliveries_exhausted_total`, as JetStream terminates it), so a consumer in trouble
 *   never holds up its publisher. Those redeliveries live in memory: a crash before them loses
 *   them (the embedded mode is for development; JetStream keeps them on disk).
 * - Until `open()`, `publish` waits: the embedded mesh opens the transport once every service has
 *   registered its consumers, so no event goes out before its consumers exist.
 * - Several subscriptions with one durable name share its deliveries (round robin); different
 *   durable names each get every event.
 */
export class InProcessTransport implements EventTransport {
  private readonly durables = new Map<string, Durable>();
  private readonly log: Logger;
  private opened = false;
  private closed = false;
  private openWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private readonly timers = new Set<{ timer: NodeJS.Timeout; reject: (error: Error) => void }>();
  private readonly redeliveries = new Set<Promise<void>>();

  constructor(options: { logger?: Logger } = {}) {
    this.log = (options.logger ?? rootLogger).child({ component: 'events-in-process' });
  }

  /** Lets deliveries flow; call once every consumer of the process has subscribed. */
  open(): void {
    if (this.closed || this.opened) return;
    this.opened = true;
    for (const waiter of this.openWaiters) waiter.resolve();
    this.openWaiters = [];
  }

  async publish(subject: string, envelope: Uint8Array, eventId: string): Promise<void> {
    await this.untilOpen();
    const stream = serviceOfSubject(subject);
    const targets = [...this.durables.values()].filter(
      (durable) =>
        durable.spec.stream === stream &&
        durable.spec.subjects.some((pattern) => subjectMatches(pattern, subject)),
    );
    const results = await Promise.allSettled(
      targets.map((durable) => this.deliverFirst(durable, { subject, envelope, eventId })),
    );
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  async subscribe(spec: SubscriptionSpec, handler: DeliveryHandler): Promise<TransportSubscription> {
    if (this.closed) throw new TransportClosedError();
    const key = `${spec.stream}\u0000${spec.durable}`;
    let durable = this.durables.get(key);
    if (!durable) {
      durable = { spec, members: [], next: 0, waiting: [] };
      this.durables.set(key, durable);
    } else {
      durable.spec = spec;
    }
    const member: Member = { handler, inFlight: new Set() };
    durable.members.push(member);
    for (const waiter of durable.waiting.splice(0)) waiter.resolve(member);
    const owner = durable;
    return {
      stop: async () => {
        owner.members = owner.members.filter((candidate) => candidate !== member);
        // An ephemeral subscription ends with its last member, so publishes stop waiting for it.
        if (spec.ephemeral && owner.members.length === 0 && this.durables.get(key) === owner) {
          this.durables.delete(key);
        }
        await Promise.allSettled([...member.inFlight]);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new TransportClosedError();
    for (const waiter of this.openWaiters) waiter.reject(error);
    this.openWaiters = [];
    for (const durable of this.durables.values()) {
      for (const waiter of durable.waiting.splice(0)) waiter.reject(error);
      await Promise.allSettled(durable.members.flatMap((member) => [...member.inFlight]));
    }
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.timers.clear();
    await Promise.allSettled([...this.redeliveries]);
  }

  private untilOpen(): Promise<void> {
    if (this.closed) return Promise.reject(new TransportClosedError());
    if (this.opened) return Promise.resolve();
    return new Promise((resolve, reject) => this.openWaiters.push({ resolve, reject }));
  }

  /** The first delivery, which `publish` waits for; a failure hands the event to `redeliverLater`. */
  private async deliverFirst(durable: Durable, event: Omit<Delivery, 'deliveryCount'>): Promise<void> {
    const member = await this.nextMember(durable);
    try {
      await this.run(member, { ...event, deliveryCount: 1 });
    } catch (error) {
      if (error instanceof TransportClosedError) throw error;
      this.redeliverLater(durable, event, error);
    }
  }

  private redeliverLater(
    durable: Durable,
    event: Omit<Delivery, 'deliveryCount'>,
    firstError: unknown,
  ): void {
    const name = durable.spec.durable;
    const redelivery = this.redeliver(durable, event, firstError).catch((error: unknown) => {
      this.log.warn(
        { err: error, durable: name, subject: event.subject, eventId: event.eventId },
        'redelivery abandoned: the transport closed',
      );
    });
    this.redeliveries.add(redelivery);
    void redelivery.finally(() => this.redeliveries.delete(redelivery));
  }

  private async redeliver(
    durable: Durable,
    event: Omit<Delivery, 'deliveryCount'>,
    firstError: unknown,
  ): Promise<void> {
    let lastError = firstError;
    for (let deliveryCount = 2; deliveryCount <= durable.spec.maxDeliver; deliveryCount++) {
      await this.sleep(redeliveryDelay(durable.spec.backoffMs, deliveryCount - 1));
      const member = await this.nextMember(durable);
      try {
        await this.run(member, { ...event, deliveryCount });
        return;
      } catch (error) {
        if (error instanceof TransportClosedError) throw error;
        lastError = error;
      }
    }
    const name = durable.spec.durable;
    deliveriesExhausted.inc({ durable: name });
    this.log.error(
      { err: lastError, durable: name, subject: event.subject, eventId: event.eventId },
      'delivery exhausted: this durable will not get the event again',
    );
  }

  private run(member: Member, delivery: Delivery): Promise<void> {
    const running = Promise.resolve().then(() => member.handler(delivery));
    const tracked = running.then(
      () => undefined,
      () => undefined,
    );
    member.inFlight.add(tracked);
    void tracked.then(() => member.inFlight.delete(tracked));
    return running;
  }

  private nextMember(durable: Durable): Promise<Member> {
    if (this.closed) return Promise.reject(new TransportClosedError());
    if (durable.members.length > 0) {
      const member = durable.members[durable.next % durable.members.length]!;
      durable.next = (durable.next + 1) % durable.members.length;
      return Promise.resolve(member);
    }
    return new Promise((resolve, reject) => durable.waiting.push({ resolve, reject }));
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.reject(new TransportClosedError());
    return new Promise((resolve, reject) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        reject,
      };
      this.timers.add(entry);
    });
  }
}
