import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '../db/orm.js';

/**
 * Lets the relay wake up the moment a transaction that wrote an event commits, instead of waiting
 * for its next poll. `publishEvent` marks the root transaction it wrote into; a MikroORM
 * `afterTransactionCommit` subscriber (one per ORM) tells the listeners when a marked one commits.
 * A rolled-back transaction is never reported, and its mark goes with it (weak set).
 */
const transactionsWithEvents = new WeakSet<object>();

interface KnexTransaction {
  parentTransaction?: KnexTransaction;
}

function rootOf(transaction: KnexTransaction): KnexTransaction {
  let current = transaction;
  while (current.parentTransaction) current = current.parentTransaction;
  return current;
}

export function markOutboxWrite(em: EntityManager): void {
  const transaction = em.getTransactionContext<KnexTransaction>();
  if (transaction) transactionsWithEvents.add(rootOf(transaction));
}

type Listener = () => void;
const listenersByEventManager = new WeakMap<object, Set<Listener>>();

/**
 * Says that a statement of `em` wrote an outbox row itself (`outboxRowOf`, in a writable CTE):
 * inside a transaction the listeners hear of it once that commits, as for `publishEvent`; outside
 * one the statement has committed by itself, so no commit hook sees it, and they hear of it now.
 */
export function outboxWritten(em: EntityManager): void {
  if (em.getTransactionContext()) {
    markOutboxWrite(em);
    return;
  }
  for (const notify of listenersByEventManager.get(em.getEventManager()) ?? []) notify();
}

/** Calls `listener` after every commit of a transaction on `orm` that wrote to the outbox; returns the unsubscribe. */
export function onOutboxCommit(orm: MikroORM, listener: Listener): () => void {
  const eventManager = orm.em.getEventManager();
  let listeners = listenersByEventManager.get(eventManager);
  if (!listeners) {
    const registered = new Set<Listener>();
    listeners = registered;
    listenersByEventManager.set(eventManager, registered);
    eventManager.registerSubscriber({
      afterTransactionCommit: ({ transaction }) => {
        if (!transaction || !transactionsWithEvents.has(transaction as object)) return;
        transactionsWithEvents.delete(transaction as object);
        for (const notify of registered) notify();
      },
    });
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}
