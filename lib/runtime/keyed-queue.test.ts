import { expect } from 'chai';
import { KeyedQueue } from './keyed-queue.js';

describe('KeyedQueue', () => {
  it('runs work sharing a key one after another in arrival order, other keys at once, and forgets idle keys', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const first = queue.run(['a', 'b'], async () => {
      log.push('ab start');
      await gate;
      log.push('ab end');
    });
    const second = queue.run(['b'], async () => void log.push('b'));
    const third = queue.run(['b', 'a'], async () => void log.push('ba'));
    const other = queue.run(['c'], async () => void log.push('c'));
    await other;
    expect(log).to.deep.equal(['ab start', 'c']);
    openGate();
    await Promise.all([first, second, third]);
    expect(log).to.deep.equal(['ab start', 'c', 'ab end', 'b', 'ba']);
    expect(queue.size).to.equal(0);
  });

  it('goes on after a run that failed', async () => {
    const queue = new KeyedQueue();
    const failed = queue.run(['a'], async () => {
      throw new Error('boom');
    });
    const next = queue.run(['a'], async () => 'next');
    await failed.catch(() => undefined);
    expect(await next).to.equal('next');
    expect(queue.size).to.equal(0);
  });
});
