import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Wakes the sender the moment a transaction that queued an email commits, instead of at its next
 * poll (the same mechanism as the outbox relay's): `markEmailQueued` marks the root transaction,
 * an `afterTransactionCommit` subscriber calls the listener when a marked one commits. A rolled
 * back transaction is never reported.
 */
const transactionsWithMail = new WeakSet<object>();

interface KnexTransaction {
  parentTransaction?: KnexTransaction;
}

export function markEmailQueued(em: EntityManager): void {
  let transaction = em.getTransactionContext<KnexTransaction>();
  if (!transaction) return;
  while (transaction.parentTransaction) transaction = transaction.parentTransaction;
  transactionsWithMail.add(transaction);
}

/** Calls `listener` after each commit on `orm` that queued an email; returns the unsubscribe. */
export function onEmailQueued(orm: MikroORM, listener: () => void): () => void {
  let active = true;
  orm.em.getEventManager().registerSubscriber({
    afterTransactionCommit: ({ transaction }) => {
      if (!active || !transaction || !transactionsWithMail.has(transaction as object)) return;
      transactionsWithMail.delete(transaction as object);
      listener();
    },
  });
  return () => {
    active = false;
  };
}
