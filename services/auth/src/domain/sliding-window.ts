/**
 * Counts events per key over a sliding window, in this process's memory. Used for login rate
 * limits: per replica by design (see docs/api/auth.md), cheap, and gone on restart; the lockout in
 * the database is the shared, durable bound.
 *
 * Bounded and constant per call, however many distinct keys arrive (a spray of made-up emails):
 * a key keeps at most `limit` timestamps, the map is kept in order of each key's last hit (a hit
 * moves its key to the end), so expired keys are always at the front and each call drops only
 * those; past `maxKeys` the key idle longest is forgotten even if still inside its window.
 */
export class SlidingWindowCounter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Hits recorded for `key` within the window. */
  count(key: string): number {
    return this.live(key).length;
  }

  /** True when `key` has used its limit (a limit of 0 disables the counter). */
  isExhausted(key: string): boolean {
    return this.limit > 0 && this.count(key) >= this.limit;
  }

  /** Records a hit for `key`. */
  record(key: string): void {
    if (this.limit <= 0) return;
    const live = this.live(key);
    live.push(this.now());
    // Only the last `limit` hits decide anything: whether the key is exhausted and when it frees.
    if (live.length > this.limit) live.splice(0, live.length - this.limit);
    this.hits.delete(key);
    this.hits.set(key, live);
    this.dropExpired();
    if (this.hits.size > this.maxKeys) this.forgetOldest();
  }

  /** Records a hit unless the limit is used up; false when refused. Atomic (one event loop turn). */
  tryTake(key: string): boolean {
    if (this.isExhausted(key)) return false;
    this.record(key);
    return true;
  }

  /** Milliseconds until `key` has room again (0 when it has now). */
  retryAfterMs(key: string): number {
    const live = this.live(key);
    if (this.limit <= 0 || live.length < this.limit) return 0;
    return Math.max(0, live[live.length - this.limit]! + this.windowMs - this.now());
  }

  /** Keys currently held (for tests and metrics). */
  get size(): number {
    return this.hits.size;
  }

  private live(key: string): number[] {
    const since = this.now() - this.windowMs;
    const all = this.hits.get(key);
    if (!all) return [];
    const live = all.filter((at) => at > since);
    if (live.length === 0) this.hits.delete(key);
    else if (live.length !== all.length) this.hits.set(key, live);
    return live;
  }

  /** Drops keys whose last hit left the window; they sit at the front, so this stops at the first live one. */
  private dropExpired(): void {
    const since = this.now() - this.windowMs;
    for (const [key, times] of this.hits) {
      if (times[times.length - 1]! > since) return;
      this.hits.delete(key);
    }
  }

  private forgetOldest(): void {
    for (const key of this.hits.keys()) {
      this.hits.delete(key);
      if (this.hits.size <= this.maxKeys) return;
    }
  }
}
