/**
 * The names the platform's events have on a NATS server, computed here and nowhere else. Without a
 * namespace (production sets none) they are the names deployments have always had: stream
 * `EVENTS_<SERVICE>` holding `<service>.>`, subjects as the event catalog spells them, durables as
 * the consumers name them. With a namespace `ns` (EVENTS_NAMESPACE, validated by
 * `readEventsNamespace` in lib/config) every one of them is prefixed: stream `ns_EVENTS_<SERVICE>`
 * holding `ns.<service>.>`, subjects `ns.<subject>`, durables `ns_<durable>`. So two test runs (or
 * two deployments) sharing one server never see each other's events. Only the transport uses these
 * names: a delivered subject is stripped back to the plain one before anything else sees it.
 */
export class NatsNames {
  readonly namespace: string | undefined;

  constructor(namespace?: string) {
    this.namespace = namespace || undefined;
  }

  /** `EVENTS_<SERVICE>`, or `<ns>_EVENTS_<SERVICE>`: one stream per publishing service. */
  stream(service: string): string {
    return this.prefixed(`EVENTS_${service.toUpperCase()}`, '_');
  }

  /** What a publisher's stream holds: `<service>.>`, or `<ns>.<service>.>`. */
  streamSubjects(service: string): string[] {
    return [this.subject(`${service}.>`)];
  }

  /** A subject (or a subject pattern) as it is on the server: `<ns>.<subject>` in a namespace. */
  subject(subject: string): string {
    return this.prefixed(subject, '.');
  }

  /** A subject as the server delivered it, without the namespace: the one handlers know. */
  plainSubject(subject: string): string {
    const prefix = this.namespace === undefined ? '' : `${this.namespace}.`;
    return prefix && subject.startsWith(prefix) ? subject.slice(prefix.length) : subject;
  }

  /** A durable consumer's name on the server: `<ns>_<durable>` in a namespace. */
  durable(durable: string): string {
    return this.prefixed(durable, '_');
  }

  /** The start of the name of every stream in this namespace (none without one). */
  streamPrefix(): string | undefined {
    return this.namespace === undefined ? undefined : `${this.namespace}_EVENTS_`;
  }

  private prefixed(name: string, separator: string): string {
    return this.namespace === undefined ? name : `${this.namespace}${separator}${name}`;
  }
}

/** The stream of a publishing service: `EVENTS_<SERVICE>`, or `<ns>_EVENTS_<SERVICE>` in a namespace. */
export function streamNameOf(service: string, namespace?: string): string {
  return new NatsNames(namespace).stream(service);
}
