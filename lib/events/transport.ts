/**
 * How events move between services, with the same meaning on NATS JetStream (distributed) and in
 * process (embedded): a service is handed one and cannot tell which.
 */
export interface EventTransport {
  /**
   * Resolves once the transport has durably accepted the event (JetStream: its PubAck; in process:
   * every matching subscription has handled it). Rejects otherwise, promptly, so the relay can retry.
   * `eventId` deduplicates re-publications of the same event.
   */
  publish(subject: string, envelope: Uint8Array, eventId: string): Promise<void>;

  /**
   * Attaches a handler to a durable subscription. Every durable name gets every matching event;
   * several subscriptions with the same durable name share its deliveries. A handler that throws
   * gets the event again later (after `backoffMs`), up to `maxDeliver` deliveries in all.
   */
  subscribe(spec: SubscriptionSpec, handler: DeliveryHandler): Promise<TransportSubscription>;

  /** Stops every subscription and releases the connection. */
  close(): Promise<void>;
}

export interface SubscriptionSpec {
  /** The publishing service whose events this reads (its stream). */
  stream: string;
  /** The durable consumer name: one per consuming service and publisher. */
  durable: string;
  /** Subjects of that stream to receive; NATS wildcards (`*`, `>`) allowed. */
  subjects: string[];
  /** Deliveries in all before the transport gives up on an event. */
  maxDeliver: number;
  /** Wait before the n-th redelivery is `backoffMs[n - 1]` (the last value repeats). */
  backoffMs: number[];
  /**
   * A subscription of this process alone (give it a unique durable name), for per-replica work such
   * as cache invalidation: it sees only events published after it starts, and it is removed when
   * stopped (in process) or soon after its process is gone (JetStream `inactive_threshold`).
   */
  ephemeral?: boolean;
}

export interface Delivery {
  subject: string;
  envelope: Uint8Array;
  /** The event id the publisher gave (the NATS message id), or undefined if the transport lost it. */
  eventId: string | undefined;
  /** 1 on the first delivery, 2 on the first redelivery, … */
  deliveryCount: number;
}

/** Resolving means done (ack); throwing means "deliver again later". */
export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface TransportSubscription {
  /** Stops taking new deliveries and waits for the one in hand to finish. */
  stop(): Promise<void>;
}

/** Delay before redelivery after the `deliveryCount`-th delivery failed. */
export function redeliveryDelay(backoffMs: number[], deliveryCount: number): number {
  if (backoffMs.length === 0) return 0;
  return backoffMs[Math.min(deliveryCount, backoffMs.length) - 1] ?? 0;
}

/** NATS subject matching: `*` is one token, a final `>` is one or more tokens. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const want = pattern.split('.');
  const have = subject.split('.');
  for (let i = 0; i < want.length; i++) {
    const token = want[i];
    if (token === '>') return i === want.length - 1 && have.length > i;
    if (i >= have.length) return false;
    if (token !== '*' && token !== have[i]) return false;
  }
  return want.length === have.length;
}
