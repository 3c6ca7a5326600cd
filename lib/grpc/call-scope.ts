import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What an RPC being handled passes on to the calls it makes: its correlation id, its deadline
 * (an outgoing call never outlives it) and the caller's `authorization` metadata (relayed so
 * downstream services see the same principal). Event consumers may open a scope of their own.
 */
export interface CallScope {
  readonly correlationId: string;
  readonly deadline: Date | undefined;
  readonly authorization?: string;
}

const storage = new AsyncLocalStorage<CallScope>();

export function currentCallScope(): CallScope | undefined {
  return storage.getStore();
}

export function runInCallScope<T>(scope: CallScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** Milliseconds left before the scope's deadline (Infinity without one). */
export function remainingMs(scope: CallScope | undefined, now = Date.now()): number {
  return scope?.deadline ? scope.deadline.getTime() - now : Number.POSITIVE_INFINITY;
}

export interface DetachedScopeOptions {
  /** The detached work's own budget, from now (its calls are capped by it, not the caller's). */
  deadlineMs: number;
}

/**
 * Runs `fn` detached from the call being handled: its outgoing calls get a deadline of their own
 * (`deadlineMs` from now) instead of the caller's, and keep the caller's correlation id (a new one
 * outside any call), so the logs of the work still join the request that caused it. For work that
 * must finish even when its caller has given up: a saga's compensations, recovery of a half-done
 * change. The caller's `authorization` is not carried: the caller's token may expire before the
 * work ends, so detached work calls as this service (clients with `serviceToken`).
 */
export function runDetached<T>(options: DetachedScopeOptions, fn: () => T): T {
  const caller = currentCallScope();
  const scope: CallScope = {
    correlationId: caller?.correlationId ?? randomUUID(),
    deadline: new Date(Date.now() + options.deadlineMs),
  };
  return storage.run(scope, fn);
}
