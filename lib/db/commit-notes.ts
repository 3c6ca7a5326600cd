import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from './orm.js';

/** Hears the items one commit collected. */
export type CommitListener<Item> = (items: readonly Item[]) => void;

interface KnexTransaction {
  parentTransaction?: KnexTransaction;
}

function rootOf(transaction: KnexTransaction): KnexTransaction {
  let current = transaction;
  while (current.parentTransaction) current = current.parentTransaction;
  return current;
}

function tellEveryListener<Item>(listeners: readonly CommitListener<Item>[], items: readonly Item[]): void {
  for (const listener of listeners) listener(items);
}

/**
 * News to pass on once the transaction that made it commits, and never if it rolls back: the
 * outbox relay hears of the events a commit wrote, the notification sender of the mail it queued.
 *
 * `note(em, item)` keeps the item on the root transaction of `em`; a MikroORM
 * `afterTransactionCommit` subscriber (one per ORM) hands a commit's items to the listeners. A
 * rolled-back transaction's items go with it (weak map). Outside a transaction the statement that
 * made the news has committed by itself and no commit hook will see it, so the item is handed over
 * at once.
 */
export class CommitNotes<Item> {
  private readonly itemsByTransaction = new WeakMap<object, Item[]>();
  private readonly listenersByEventManager = new WeakMap<object, Set<CommitListener<Item>>>();

  /** @param deliver how a commit's items reach the listeners (in the order they listened); by default each hears all. */
  constructor(
    private readonly deliver: (
      listeners: readonly CommitListener<Item>[],
      items: readonly Item[],
    ) => void = tellEveryListener,
  ) {}

  /** Keeps `item` for the commit of the transaction of `em`; outside one, hands it over now. */
  note(em: EntityManager, item: Item): void {
    const transaction = em.getTransactionContext<KnexTransaction>();
    if (!transaction) {
      this.tell(em.getEventManager(), [item]);
      return;
    }
    const root = rootOf(transaction);
    const items = this.itemsByTransaction.get(root);
    if (items) items.push(item);
    else this.itemsByTransaction.set(root, [item]);
  }

  /** Calls `listener` with the items of every commit on `orm` that noted some; returns the unsubscribe. */
  listen(orm: MikroORM, listener: CommitListener<Item>): () => void {
    const eventManager = orm.em.getEventManager();
    let listeners = this.listenersByEventManager.get(eventManager);
    if (!listeners) {
      listeners = new Set();
      this.listenersByEventManager.set(eventManager, listeners);
      eventManager.registerSubscriber({
        afterTransactionCommit: ({ transaction }) => {
          const items = transaction ? this.itemsByTransaction.get(transaction as object) : undefined;
          if (!items) return;
          this.itemsByTransaction.delete(transaction as object);
          this.tell(eventManager, items);
        },
      });
    }
    const registered = listeners;
    registered.add(listener);
    return () => registered.delete(listener);
  }

  private tell(eventManager: object, items: readonly Item[]): void {
    const listeners = this.listenersByEventManager.get(eventManager);
    if (listeners && listeners.size > 0) this.deliver([...listeners], items);
  }
}
