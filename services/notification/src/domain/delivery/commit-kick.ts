import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Wakes the sender the moment a transaction that queued an email commits, instead of at its next
 * poll (the same mechanism as the outbox relay's): `markEmailQueued` marks the root transaction,
 * an `afterTransactionCommit` subscriber calls the listener when a marked one commits. A rolled
 * back transaction is never reported. An email queued by a statement outside a transaction (it
 * committed by itself) wakes the sender at once.
 */
const transactionsWithMail = new WeakSet<object>();
const listenersByEventManager = new WeakMap<object, Set<() => void>>();

interface KnexTransaction {
  parentTransaction?: KnexTransaction;
}

export function markEmailQueued(em: EntityManager): void {
  let transaction = em.getTransactionContext<KnexTransaction>();
  if (!transaction) {
    for (const listener of listenersByEventManager.get(em.getEventManager()) ?? []) listener();
    return;
  }
  while (transaction.parentTransaction) transaction = transaction.parentTransaction;
  transactionsWithMail.add(transaction);
}

/** Calls `listener` after each commit on `orm` that queued an email; returns the unsubscribe. */
export function onEmailQueued(orm: MikroORM, listener: () => void): () => void {
  const eventManager = orm.em.getEventManager();
  const listeners = listenersByEventManager.get(eventManager) ?? new Set();
  listenersByEventManager.set(eventManager, listeners);
  listeners.add(listener);
  eventManager.registerSubscriber({
    afterTransactionCommit: ({ transaction }) => {
      if (!listeners.has(listener) || !transaction || !transactionsWithMail.has(transaction as object))
        return;
      transactionsWithMail.delete(transaction as object);
      listener();
    },
  });
  return () => {
    listeners.delete(listener);
  };
}
