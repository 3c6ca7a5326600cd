import {
  AckPolicy,
  connect,
  DebugEvents,
  DeliverPolicy,
  DiscardPolicy,
  Events,
  nanos,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import { rootLogger, type Logger } from '../log.js';
import { serviceOfSubject } from './event-type.js';
import { deliveriesExhausted } from './metrics.js';
import { NatsNames } from './nats-names.js';
import { EVENT_STREAM_MAX_AGE_MS } from './retention.js';
import {
  redeliveryDelay,
  subjectMatches,
  type DeliveryHandler,
  type EventTransport,
  type SubscriptionSpec,
  type TransportSubscription,
} from './transport.js';

export interface NatsTransportOptions {
  /** Connection name shown by the server (`<service>-<pod>`). */
  name: string;
  logger?: Logger;
  /** How long a publish waits for its PubAck before failing (the relay retries). Default 5 s. */
  publishTimeoutMs?: number;
  /** Pause between reconnection attempts. Default 1 s. */
  reconnectWaitMs?: number;
  /** Redelivery of an unacknowledged message (a handler still working extends it). Default 30 s. */
  ackWaitMs?: number;
  /**
   * EVENTS_NAMESPACE: prefixes the streams, subjects and durables on the server (`nats-names.ts`),
   * so deployments or test runs sharing a server stay apart. Undefined (production): no prefix.
   */
  namespace?: string;
}

const DUPLICATE_WINDOW_MS = 2 * 60_000;
const RESUBSCRIBE_PAUSE_MS = 1_000;

export class NatsUnavailableError extends Error {
  constructor(message = 'NATS is not connected') {
    super(message);
    this.name = 'NatsUnavailableError';
  }
}

/**
 * Opens the NATS JetStream transport. Returns at once: the connection is made in the background and
 * kept for the life of the process (it waits for a server that is down at start and reconnects
 * forever after). While disconnected, `publish` fails immediately (the outbox keeps the event and
 * the relay retries) and subscriptions resume by themselves once the server is back.
 */
export async function connectNatsTransport(
  url: string,
  options: NatsTransportOptions,
): Promise<NatsTransport> {
  return new NatsTransport(url, options);
}

export class NatsTransport implements EventTransport {
  private readonly log: Logger;
  private readonly publishTimeoutMs: number;
  private readonly ackWaitMs: number;
  /** Where this transport's events are on the server; everything outside it sees plain subjects. */
  readonly names: NatsNames;
  private nc: NatsConnection | undefined;
  private jsm: JetStreamManager | undefined;
  private connected = false;
  private closed = false;
  private connectedWaiters: Array<() => void> = [];
  private readonly streams = new Map<string, Promise<void>>();
  private readonly subscriptions = new Set<NatsSubscription>();
  private readonly connecting: Promise<void>;
  private cancelRetry: () => void = () => undefined;

  constructor(url: string, options: NatsTransportOptions) {
    this.log = (options.logger ?? rootLogger).child({ component: 'events-nats' });
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.names = new NatsNames(options.namespace);
    this.connecting = this.connect(url, options).catch((error: unknown) => {
      this.log.error({ err: error }, 'NATS connection set-up failed');
    });
  }

  /** Resolves once connected (for start-up probes and tests); never needed for correctness. */
  async waitUntilConnected(timeoutMs = 10_000): Promise<void> {
    if (this.connected) return;
    if (this.closed) throw new NatsUnavailableError('NATS transport is closed');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.connectedWaiters.push(resolve)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new NatsUnavailableError(`NATS not connected after ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async publish(subject: string, envelope: Uint8Array, eventId: string): Promise<void> {
    const nc = this.nc;
    if (this.closed || !nc || !this.connected) throw new NatsUnavailableError();
    const service = serviceOfSubject(subject);
    await this.ensureStream(service);
    try {
      await nc.jetstream().publish(this.names.subject(subject), envelope, {
        msgID: eventId,
        timeout: this.publishTimeoutMs,
      });
    } catch (error) {
      // "no responders": the stream is gone (deleted by an operator); create it again next time.
      if ((error as { code?: string }).code === '503') this.streams.delete(service);
      throw error;
    }
  }

  async subscribe(spec: SubscriptionSpec, handler: DeliveryHandler): Promise<TransportSubscription> {
    if (this.closed) throw new NatsUnavailableError('NATS transport is closed');
    const subscription = new NatsSubscription(this, spec, handler, this.log.child({ durable: spec.durable }));
    this.subscriptions.add(subscription);
    subscription.start();
    return {
      stop: async () => {
        await subscription.stop();
        this.subscriptions.delete(subscription);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelRetry();
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.stop()));
    this.subscriptions.clear();
    const nc = this.nc;
    if (nc && !nc.isClosed()) await nc.close();
    await this.connecting;
  }

  /** The connection once it is up; waits (without limit) while it is not. Internal to the transport. */
  async connection(): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
    while (!this.connected || !this.nc || !this.jsm) {
      if (this.closed) throw new NatsUnavailableError('NATS transport is closed');
      await new Promise<void>((resolve) => this.connectedWaiters.push(resolve));
    }
    return { nc: this.nc, jsm: this.jsm };
  }

  get closing(): boolean {
    return this.closed;
  }

  get ackWait(): number {
    return this.ackWaitMs;
  }

  /** Creates the service's stream if it does not exist; concurrent callers share one attempt. */
  async ensureStream(service: string): Promise<void> {
    let pending = this.streams.get(service);
    if (!pending) {
      pending = this.createStream(service);
      this.streams.set(service, pending);
      pending.catch(() => this.streams.delete(service));
    }
    return pending;
  }

  /** Consumers can filter on several subjects from NATS 2.10; before that they filter here. */
  supportsMultipleFilters(): boolean {
    const [major = 0, minor = 0] = (this.nc?.info?.version ?? '0.0').split('.').map(Number);
    return major > 2 || (major === 2 && minor >= 10);
  }

  /**
   * Our own first-connect loop rather than `waitOnFirstConnect`: that one cannot be cancelled, so a
   * process whose NATS never came up could not exit after `close()`. Once connected, the client
   * reconnects by itself, forever.
   */
  private async connect(url: string, options: NatsTransportOptions): Promise<void> {
    const retryMs = options.reconnectWaitMs ?? 1_000;
    for (let attempt = 1; !this.closed; attempt++) {
      let nc: NatsConnection;
      try {
        nc = await connect({
          servers: url,
          name: options.name,
          timeout: 5_000,
          maxReconnectAttempts: -1,
          reconnectTimeWait: retryMs,
          pingInterval: 10_000,
          maxPingOut: 2,
        });
      } catch (error) {
        if (attempt === 1 || attempt % 30 === 0) {
          this.log.warn({ err: error, attempt }, 'NATS unreachable; retrying (events wait in the outbox)');
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, retryMs);
          this.cancelRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      if (this.closed) {
        await nc.close();
        return;
      }
      this.nc = nc;
      this.jsm = await nc.jetstreamManager({ timeout: this.publishTimeoutMs, checkAPI: false });
      this.setConnected(true);
      this.log.info({ server: nc.getServer() }, 'connected to NATS');
      void this.watch(nc);
      return;
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect || status.type === DebugEvents.StaleConnection) {
        if (this.connected) this.log.warn({ server: status.data }, 'NATS disconnected');
        this.setConnected(false);
      } else if (status.type === Events.Reconnect) {
        this.log.info({ server: status.data }, 'NATS reconnected');
        this.setConnected(true);
      }
    }
  }

  private setConnected(connected: boolean): void {
    this.connected = connected;
    if (!connected) return;
    const waiters = this.connectedWaiters;
    this.connectedWaiters = [];
    for (const wake of waiters) wake();
  }

  private async createStream(service: string): Promise<void> {
    const { jsm } = await this.connectionNow();
    const name = this.names.stream(service);
    const subjects = this.names.streamSubjects(service);
    try {
      await jsm.streams.info(name);
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    try {
      await jsm.streams.add({
        name,
        subjects,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        // The inbox retention is validated against this (retention.ts): they cannot drift apart.
        max_age: nanos(EVENT_STREAM_MAX_AGE_MS),
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      });
      this.log.info({ stream: name, subjects }, 'created stream');
    } catch (error) {
      // Another process created it first (with the same or a tuned configuration): keep theirs.
      await jsm.streams.info(name).catch(() => Promise.reject(error));
    }
  }

  private async connectionNow(): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
    if (this.closed || !this.connected || !this.nc || !this.jsm) throw new NatsUnavailableError();
    return { nc: this.nc, jsm: this.jsm };
  }
}

const EPHEMERAL_INACTIVE_MS = 60_000;

function isNotFound(error: unknown): boolean {
  const apiError = (error as { api_error?: { code?: number } }).api_error;
  return apiError?.code === 404 || /not found/i.test((error as Error).message ?? '');
}

/**
 * One durable pull consumer, consumed with JetStream's `consume()`: messages are handled one at a
 * time, acknowledged after the handler returns, and negatively acknowledged with the backoff delay
 * when it throws. The loop (re)creates the stream and consumer as needed and survives outages.
 */
class NatsSubscription {
  private stopped = false;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private signalStop: () => void = () => undefined;
  private readonly stopSignal = new Promise<undefined>((resolve) => {
    this.signalStop = () => resolve(undefined);
  });

  constructor(
    private readonly transport: NatsTransport,
    private readonly spec: SubscriptionSpec,
    private readonly handler: DeliveryHandler,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    this.signalStop();
    await this.loop;
  }

  private async run(): Promise<void> {
    const streamName = this.transport.names.stream(this.spec.stream);
    const durable = this.transport.names.durable(this.spec.durable);
    while (!this.stopped) {
      try {
        const connection = await Promise.race([this.transport.connection(), this.stopSignal]);
        if (!connection || this.stopped) return;
        const { nc, jsm } = connection;
        await this.transport.ensureStream(this.spec.stream);
        await this.ensureConsumer(jsm, streamName, durable);
        const consumer = await nc.jetstream().consumers.get(streamName, durable);
        this.messages = await consumer.consume({ max_messages: 10 });
        if (this.stopped) this.messages.stop();
        for await (const message of this.messages) {
          if (this.stopped) {
            message.nak();
            continue;
          }
          await this.handle(message);
        }
      } catch (error) {
        if (this.stopped || this.transport.closing) return;
        this.log.warn({ err: error }, 'subscription interrupted; resuming');
      }
      if (!this.stopped) await Promise.race([sleep(RESUBSCRIBE_PAUSE_MS), this.stopSignal]);
    }
  }

  private async ensureConsumer(jsm: JetStreamManager, streamName: string, durable: string): Promise<void> {
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.transport.ackWait),
      max_deliver: this.spec.maxDeliver,
      deliver_policy: this.spec.ephemeral ? DeliverPolicy.New : DeliverPolicy.All,
      max_ack_pending: 1_000,
    };
    // JetStream deletes an ephemeral subscription's consumer once its process has been gone this long.
    if (this.spec.ephemeral) config.inactive_threshold = nanos(EPHEMERAL_INACTIVE_MS);
    // The server filters what it can, so a consumer is not sent events it would only acknowledge:
    // every subject from NATS 2.10; before, one subject at most (a consumer of several reads the
    // whole stream). `handle` filters again either way.
    const multipleFilters = this.transport.supportsMultipleFilters();
    const subjects = this.spec.subjects.map((subject) => this.transport.names.subject(subject));
    const serverFilter = multipleFilters || subjects.length === 1 ? subjects : [];
    if (multipleFilters) config.filter_subjects = serverFilter;
    else if (serverFilter.length === 1) config.filter_subject = serverFilter[0];
    let existing;
    try {
      existing = await jsm.consumers.info(streamName, durable);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (!existing) {
      try {
        await jsm.consumers.add(streamName, config);
        return;
      } catch (error) {
        existing = await jsm.consumers.info(streamName, durable).catch(() => Promise.reject(error));
      }
    }
    const current = existing.config;
    const currentFilter = current.filter_subjects ?? (current.filter_subject ? [current.filter_subject] : []);
    const filtersDiffer = [...currentFilter].sort().join() !== [...serverFilter].sort().join();
    if (current.max_deliver !== config.max_deliver || current.ack_wait !== config.ack_wait || filtersDiffer) {
      const { durable_name: _name, deliver_policy: _policy, ack_policy: _ack, ...changes } = config;
      // A one-subject filter goes when the subjects are several (NATS 2.10 keeps them in
      // filter_subjects, and refuses both at once; before, the consumer reads the whole stream).
      // The client merges an update into the current configuration: only `undefined` removes a
      // field (an empty subject would make its request subject invalid).
      if (config.filter_subject === undefined) changes.filter_subject = undefined;
      try {
        await jsm.consumers.update(streamName, durable, changes);
      } catch (error) {
        this.log.error({ err: error, current }, 'cannot update consumer configuration; using it as it is');
      }
    }
  }

  private async handle(message: JsMsg): Promise<void> {
    const deliveryCount = message.info.deliveryCount;
    const subject = this.transport.names.plainSubject(message.subject);
    if (!this.spec.subjects.some((pattern) => subjectMatches(pattern, subject))) {
      message.ack();
      return;
    }
    const keepAlive = setInterval(() => message.working(), Math.max(1_000, this.transport.ackWait / 3));
    try {
      await this.handler({
        subject,
        envelope: message.data,
        eventId: message.headers?.get('Nats-Msg-Id') || undefined,
        deliveryCount,
      });
      message.ack();
    } catch (error) {
      if (deliveryCount >= this.spec.maxDeliver) {
        deliveriesExhausted.inc({ durable: this.spec.durable });
        this.log.error(
          { err: error, subject, streamSequence: message.seq, deliveryCount },
          'delivery exhausted: JetStream will not redeliver this message',
        );
        message.term();
      } else {
        message.nak(redeliveryDelay(this.spec.backoffMs, deliveryCount));
      }
    } finally {
      clearInterval(keepAlive);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
