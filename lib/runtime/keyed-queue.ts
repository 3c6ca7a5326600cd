/**
 * In-process first-come-first-served queues by key: `run(keys, work)` starts `work` once every
 * earlier run sharing one of its keys has finished. A run joins the queues of all its keys at
 * once, on arrival, so the queues agree on one order and no two runs can wait on each other.
 * Memory: one entry per key with a run queued or running.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const unique = [...new Set(keys)];
    const before = unique.flatMap((key) => this.tails.get(key) ?? []);
    for (const key of unique) this.tails.set(key, finished);
    try {
      await Promise.all(before);
      return await work();
    } finally {
      finish();
      for (const key of unique) if (this.tails.get(key) === finished) this.tails.delete(key);
    }
  }

  /** Keys with a run queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
