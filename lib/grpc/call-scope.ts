import { AsyncLocalStorage } from 'node:async_hooks';

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
