import { expect } from 'chai';
import { abandonedTestStreams } from './nats-scratch.js';

describe('lib/testing: the streams killed test runs left', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  const daysAgo = (days: number) => new Date(now - days * 24 * 60 * 60 * 1000).toISOString();
  const DAY = 24 * 60 * 60 * 1000;

  it("names a test run's streams and its meshes' once older than the limit, and nothing else", () => {
    const streams = [
      { name: 't1d2k9a1b2c3_EVENTS_ORDER', created: daysAgo(2) },
      { name: 't1d2k9a1b2c3_81234_mbx3k9z1_EVENTS_CART', created: daysAgo(2) },
      { name: 't1d2k9a1b2c3_EVENTS_ORDER_2', created: daysAgo(0.5) },
      { name: 'EVENTS_ORDER', created: daysAgo(30) },
      { name: 'shop_EVENTS_ORDER', created: daysAgo(30) },
      { name: 'tenant_EVENTS_ORDER', created: daysAgo(30) },
      { name: 't1d2k9a1b2c3_DEAD_LETTERS', created: daysAgo(30) },
    ];
    expect(abandonedTestStreams(streams, DAY, now)).to.deep.equal([
      't1d2k9a1b2c3_EVENTS_ORDER',
      't1d2k9a1b2c3_81234_mbx3k9z1_EVENTS_CART',
    ]);
  });
});
