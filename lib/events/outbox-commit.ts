import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '../db/orm.js';
import type { OutboxRow } from './outbox.js';

/**
 * Lets the relay hear the moment a transaction that wrote an event commits, instead of waiting
 * for its next poll. `publishEvent` marks the root transaction it wrote into, and `outboxWritten`
 * adds the rows a statement wrote already reserved for this process (`insertOutboxRowFrom`); a
 * MikroORM `afterTransactionCommit` subscriber (one per ORM) tells the listeners when a marked
 * one commits. A rolled-back transaction is never reported, and its mark goes with it (weak map).
 */
const transactionsWithEvents = new WeakMap<object, OutboxCommit>();

/** What a commit wrote to the outbox, as its listeners hear of it. */
export interface OutboxCommit {
  /** Rows written reserved for this process's relay, to be handed to it (`outboxWritten`). */
  reserved: OutboxRow[];
  /** Rows for the relay to claim were written too (`publishEvent`). */
  claimable: boolean;
}

interface KnexTransaction {
  parentTransaction?: KnexTransaction;
}

function rootOf(transaction: KnexTransaction): KnexTransaction {
  let current = transaction;
  while (current.parentTransaction) current = current.parentTransaction;
  return current;
}

/** Marks the transaction of `em` as one that wrote to the outbox: rows to claim, or `reserved` rows. */
export function markOutboxWrite(em: EntityManager, reserved?: OutboxRow): void {
  const transaction = em.getTransactionContext<KnexTransaction>();
  if (!transaction) return;
  const root = rootOf(transaction);
  const commit = transactionsWithEvents.get(root) ?? { reserved: [], claimable: false };
  if (reserved) commit.reserved.push(reserved);
  else commit.claimable = true;
  transactionsWithEvents.set(root, commit);
}

type Listener = (commit: OutboxCommit) => void;
const listenersByEventManager = new WeakMap<object, Set<Listener>>();

/** Tells the listeners; reserved rows go to the first only (a process runs one relay per database). */
function notify(listeners: Iterable<Listener>, commit: OutboxCommit): void {
  let reserved = commit.reserved;
  for (const listener of listeners) {
    listener({ reserved, claimable: commit.claimable });
    reserved = [];
  }
}

/**
 * Says that a statement of `em` wrote `row` itself (`insertOutboxRowFrom`, in a writable CTE); call
 * it only when the statement did write it. Inside a transaction the row is handed to the relay
 * once that commits; outside one the statement has committed by itself, so no commit hook sees it,
 * and it is handed over now.
 */
export function outboxWritten(em: EntityManager, row: OutboxRow): void {
  if (em.getTransactionContext()) {
    markOutboxWrite(em, row);
    return;
  }
  notify(listenersByEventManager.get(em.getEventManager()) ?? [], { reserved: [row], claimable: false });
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
        const commit = transaction ? transactionsWithEvents.get(transaction as object) : undefined;
        if (!commit) return;
        transactionsWithEvents.delete(transaction as object);
        notify(registered, commit);
      },
    });
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}
