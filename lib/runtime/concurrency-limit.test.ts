import { expect } from 'chai';
import { ConcurrencyLimit } from './concurrency-limit.js';

describe('ConcurrencyLimit', () => {
  it('runs at most its limit at once, the rest in arrival order, and passes results and failures through', async () => {
    const limit = new ConcurrencyLimit(2);
    let atOnce = 0;
    let most = 0;
    const started: number[] = [];
    const task = (n: number) => async () => {
      started.push(n);
      atOnce += 1;
      most = Math.max(most, atOnce);
      await new Promise((resolve) => setTimeout(resolve, 5));
      atOnce -= 1;
      if (n === 3) throw new Error('task 3 failed');
      return n * 10;
    };

    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => limit.run(task(n))));

    expect(most).to.equal(2);
    expect(started).to.deep.equal([1, 2, 3, 4, 5]);
    expect(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
    ).to.deep.equal([10, 20, 'task 3 failed', 40, 50]);
    expect(limit.load).to.deep.equal({ running: 0, waiting: 0 });
  });

  it('refuses a limit below 1', () => {
    expect(() => new ConcurrencyLimit(0)).to.throw(RangeError);
  });
});
