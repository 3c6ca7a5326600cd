import { currentCallScope, runInCallScope } from '../grpc/call-scope.js';

/*
 * Which request chain an event belongs to: the call scope's correlation id, which is the gRPC
 * call's inside an RPC handler and the consumed event's inside an event handler (the consumer
 * opens a call scope per event, so gRPC calls made from a handler carry it too). Without one, a new
 * event starts its own chain (its correlation id is its own id).
 */

export function currentCorrelationId(): string | undefined {
  return currentCallScope()?.correlationId || undefined;
}

/** Runs `fn` in a call scope carrying `correlationId` (and no deadline). */
export function withCorrelationId<R>(correlationId: string, fn: () => R): R {
  return runInCallScope({ correlationId, deadline: undefined }, fn);
}
