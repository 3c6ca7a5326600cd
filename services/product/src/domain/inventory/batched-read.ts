import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * One read for many callers: the keys asked for while the previous read of this kind runs (or,
 * when none runs, within one turn of the event loop) are read together, in one statement, through
 * the first asker's EntityManager, and every asker gets the whole answer to pick its own part from.
 * At most one read of a kind runs at a time per database: a rush of callers costs a handful of
 * reads instead of one each, and a caller waits at most for the read running and its own.
 */
export class BatchedRead<K, R> {
  private readonly waiting = new WeakMap<object, { keys: Set<K>; answer: Promise<R> }>();
  private readonly running = new WeakMap<object, Promise<unknown>>();

  constructor(private readonly read: (em: EntityManager, keys: readonly K[]) => Promise<R>) {}

  ask(em: EntityManager, keys: Iterable<K>): Promise<R> {
    const database = em.getDriver();
    let batch = this.waiting.get(database);
    if (!batch) {
      const batchKeys = new Set<K>();
      const answer = (this.running.get(database) ?? Promise.resolve())
        .then(() => new Promise((resolve) => setImmediate(resolve)))
        .then(() => {
          this.waiting.delete(database);
          return this.read(em, [...batchKeys]);
        });
      batch = { keys: batchKeys, answer };
      this.waiting.set(database, batch);
      this.running.set(
        database,
        answer.catch(() => undefined),
      );
    }
    for (const key of keys) batch.keys.add(key);
    return batch.answer;
  }
}
