/**
 * Latency histogram with fixed log-linear buckets (HDR style). Values are rounded to the
 * microsecond; below 4.096 ms every microsecond has its own bucket, above it there are 2048
 * buckets per power of two, so a bucket is never wider than 1/2048 of its values (≤ 64 µs up to
 * 262 ms, ≤ 128 µs up to 524 ms). Reported percentiles are bucket midpoints, clamped to the exact
 * min and max. Values from 2^27 µs (~134 s) up all land in the last bucket. Fixed memory (~35k
 * counters) whatever the number of calls.
 */
const SUB_BITS = 11;
const SUB_COUNT = 1 << SUB_BITS; // 2048
const LINEAR_LIMIT = SUB_COUNT * 2; // values below this (µs) get a bucket each
const TOP_BIT = 27; // values ≥ 2^27 µs are clamped
const BUCKET_COUNT = LINEAR_LIMIT + (TOP_BIT - SUB_BITS - 1) * SUB_COUNT;

/** A histogram as sent between processes: only the non-empty buckets. */
export interface HistogramSnapshot {
  buckets: [index: number, count: number][];
  count: number;
  sumMicros: number;
  minMicros: number;
  maxMicros: number;
}

function bucketIndex(micros: number): number {
  const v = Math.min(Math.max(0, Math.round(micros)), 2 ** TOP_BIT - 1);
  if (v < LINEAR_LIMIT) return v;
  const exponent = 31 - Math.clz32(v) - SUB_BITS;
  return LINEAR_LIMIT + (exponent - 1) * SUB_COUNT + ((v >>> exponent) - SUB_COUNT);
}

/** The middle of a bucket's range, in microseconds (values were rounded to whole µs). */
function bucketMidpoint(index: number): number {
  if (index < LINEAR_LIMIT) return index;
  const offset = index - LINEAR_LIMIT;
  const exponent = Math.floor(offset / SUB_COUNT) + 1;
  const lower = ((offset % SUB_COUNT) + SUB_COUNT) * 2 ** exponent;
  return lower + 2 ** exponent / 2 - 0.5;
}

export class Histogram {
  private readonly counts = new Float64Array(BUCKET_COUNT);
  private total = 0;
  private sumMicros = 0;
  private minMicros = Infinity;
  private maxMicros = 0;

  /** Records one latency given in milliseconds (negative values count as 0). */
  recordMs(ms: number): void {
    const micros = Math.max(0, ms * 1000);
    this.counts[bucketIndex(micros)]! += 1;
    this.total += 1;
    this.sumMicros += micros;
    if (micros < this.minMicros) this.minMicros = micros;
    if (micros > this.maxMicros) this.maxMicros = micros;
  }

  get count(): number {
    return this.total;
  }

  /** Nearest-rank percentile (0 < p ≤ 100) in milliseconds; 0 when nothing was recorded. */
  percentileMs(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * this.total));
    let seen = 0;
    for (let index = 0; index < BUCKET_COUNT; index++) {
      seen += this.counts[index]!;
      if (seen >= rank) {
        const micros = Math.min(Math.max(bucketMidpoint(index), this.minMicros), this.maxMicros);
        return micros / 1000;
      }
    }
    return this.maxMicros / 1000;
  }

  get maxMs(): number {
    return this.maxMicros / 1000;
  }

  get minMs(): number {
    return this.total === 0 ? 0 : this.minMicros / 1000;
  }

  get meanMs(): number {
    return this.total === 0 ? 0 : this.sumMicros / this.total / 1000;
  }

  /** Adds every recorded value of `other` to this histogram. */
  merge(other: Histogram | HistogramSnapshot): this {
    const snapshot = other instanceof Histogram ? other.toSnapshot() : other;
    if (snapshot.count === 0) return this;
    for (const [index, count] of snapshot.buckets) this.counts[index]! += count;
    this.total += snapshot.count;
    this.sumMicros += snapshot.sumMicros;
    this.minMicros = Math.min(this.minMicros, snapshot.minMicros);
    this.maxMicros = Math.max(this.maxMicros, snapshot.maxMicros);
    return this;
  }

  toSnapshot(): HistogramSnapshot {
    const buckets: [number, number][] = [];
    for (let index = 0; index < BUCKET_COUNT; index++) {
      const count = this.counts[index]!;
      if (count > 0) buckets.push([index, count]);
    }
    return {
      buckets,
      count: this.total,
      sumMicros: this.sumMicros,
      minMicros: this.total === 0 ? 0 : this.minMicros,
      maxMicros: this.maxMicros,
    };
  }

  static fromSnapshot(snapshot: HistogramSnapshot): Histogram {
    return new Histogram().merge(snapshot);
  }
}
