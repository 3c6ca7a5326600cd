import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which request chain an event belongs to. Inside an event handler it is the consumed event's
 * correlation id (set by the consumer); elsewhere it comes from the provider the process installs
 * at start, normally the gRPC call scope's:
 * `setCorrelationIdProvider(() => currentCallScope()?.correlationId)`.
 * Without either, a new event starts its own chain (its correlation id is its own id).
 */
type CorrelationIdProvider = () => string | undefined;

const eventScope = new AsyncLocalStorage<string>();
let provider: CorrelationIdProvider = () => undefined;

export function setCorrelationIdProvider(next: CorrelationIdProvider): void {
  provider = next;
}

/** Runs `fn` with `correlationId` as the ambient correlation id (the consumer does this per event). */
export function withCorrelationId<R>(correlationId: string, fn: () => R): R {
  return eventScope.run(correlationId, fn);
}

export function currentCorrelationId(): string | undefined {
  return eventScope.getStore() || provider() || undefined;
}
