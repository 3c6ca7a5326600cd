import { expect } from 'chai';
import { Histogram } from './histogram.js';

/** Nearest-rank percentile of a sorted array, the definition the histogram approximates. */
function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

describe('Histogram', () => {
  it('reports 0 for everything when empty', () => {
    const histogram = new Histogram();
    expect(histogram.count).to.equal(0);
    expect(histogram.percentileMs(50)).to.equal(0);
    expect(histogram.maxMs).to.equal(0);
    expect(histogram.minMs).to.equal(0);
    expect(histogram.meanMs).to.equal(0);
  });

  it('is exact to the microsecond below 4 ms', () => {
    const histogram = new Histogram();
    for (let micros = 1; micros <= 4000; micros++) histogram.recordMs(micros / 1000);
    expect(histogram.percentileMs(50)).to.be.closeTo(2.0, 0.001);
    expect(histogram.percentileMs(99)).to.be.closeTo(3.96, 0.001);
    expect(histogram.maxMs).to.equal(4);
    expect(histogram.minMs).to.equal(0.001);
  });

  it('matches exact percentiles within 0.1 ms from 0.01 ms to 500 ms', () => {
    const values: number[] = [];
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let k = 0; k < 100_000; k++) values.push(0.01 + random() ** 3 * 500);
    const histogram = new Histogram();
    for (const value of values) histogram.recordMs(value);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [1, 10, 50, 90, 99, 99.9]) {
      expect(histogram.percentileMs(p), `p${p}`).to.be.closeTo(exactPercentile(sorted, p), 0.1);
    }
    expect(histogram.percentileMs(100)).to.equal(sorted[sorted.length - 1]);
    expect(histogram.maxMs).to.equal(sorted[sorted.length - 1]);
    expect(histogram.meanMs).to.be.closeTo(values.reduce((a, b) => a + b, 0) / values.length, 1e-6);
  });

  it('gives the right percentiles for a skewed distribution (a slow tail of 1 %)', () => {
    const histogram = new Histogram();
    for (let k = 0; k < 990; k++) histogram.recordMs(1.234);
    for (let k = 0; k < 10; k++) histogram.recordMs(250);
    expect(histogram.percentileMs(50)).to.be.closeTo(1.234, 0.001);
    expect(histogram.percentileMs(99)).to.be.closeTo(1.234, 0.001);
    expect(histogram.percentileMs(99.1)).to.equal(250);
    expect(histogram.maxMs).to.equal(250);
  });

  it('never reports a percentile outside the recorded min and max', () => {
    const histogram = new Histogram();
    histogram.recordMs(123.4567);
    expect(histogram.percentileMs(50)).to.equal(123.4567);
    expect(histogram.percentileMs(99)).to.equal(123.4567);
  });

  it('clamps negative values to 0 and very large ones to the last bucket, keeping the exact max', () => {
    const histogram = new Histogram();
    histogram.recordMs(-5);
    histogram.recordMs(10 * 60 * 1000);
    expect(histogram.count).to.equal(2);
    expect(histogram.minMs).to.equal(0);
    expect(histogram.percentileMs(50)).to.equal(0);
    expect(histogram.maxMs).to.equal(600_000);
    expect(histogram.percentileMs(100)).to.be.within(134_000, 600_000);
  });

  it('merges through snapshots (as workers send them) into the same result as one histogram', () => {
    const whole = new Histogram();
    const parts = [new Histogram(), new Histogram(), new Histogram()];
    for (let k = 0; k < 30_000; k++) {
      const value = ((k * 7919) % 20_000) / 100;
      whole.recordMs(value);
      parts[k % 3]!.recordMs(value);
    }
    const merged = new Histogram();
    for (const part of parts) merged.merge(JSON.parse(JSON.stringify(part.toSnapshot())));
    merged.merge(new Histogram().toSnapshot());
    expect(merged.count).to.equal(whole.count);
    for (const p of [50, 90, 99]) expect(merged.percentileMs(p)).to.equal(whole.percentileMs(p));
    expect(merged.maxMs).to.equal(whole.maxMs);
    expect(merged.minMs).to.equal(whole.minMs);
    expect(merged.meanMs).to.be.closeTo(whole.meanMs, 1e-9);
    expect(Histogram.fromSnapshot(whole.toSnapshot()).percentileMs(99)).to.equal(whole.percentileMs(99));
  });

  it('keeps its snapshot small: only non-empty buckets travel', () => {
    const histogram = new Histogram();
    for (let k = 0; k < 1_000_000; k++) histogram.recordMs(0.5 + (k % 100) / 1000);
    expect(histogram.toSnapshot().buckets.length).to.equal(100);
  });
});
