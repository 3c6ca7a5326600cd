import { expect } from 'chai';
import { formatLogLineForTerminal } from './log-format.js';

const ESCAPE = String.fromCharCode(27);
const plain = (text: string): string =>
  text
    .split(ESCAPE)
    .map((part, i) => (i === 0 ? part : part.replace(/^\[\d+m/, '')))
    .join('');

describe('lib/log-format: log lines for a person at a terminal', () => {
  it('shows time, level, where, message and the other fields, not JSON', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: '2026-12-05T20:01:02.345Z',
      pid: 7,
      service: 'cart',
      component: 'outbox-relay',
      msg: 'publish failed',
      attempt: 3,
      event: { type: 'cart.item.added' },
    });
    expect(plain(formatLogLineForTerminal(`${line}\n`))).to.equal(
      '20:01:02.345  WARN   cart/outbox-relay  publish failed  attempt=3 event={"type":"cart.item.added"}\n',
    );
  });

  it('puts an error stack under its line, and passes anything that is not JSON through', () => {
    const line = JSON.stringify({
      level: 'error',
      time: '2026-12-05T20:01:02.345Z',
      msg: 'stop failed',
      err: { message: 'boom', stack: 'Error: boom\n    at x.ts:1' },
    });
    expect(plain(formatLogLineForTerminal(line))).to.equal(
      '20:01:02.345  ERROR  stop failed\n    Error: boom\n        at x.ts:1\n',
    );
    expect(formatLogLineForTerminal('not json\n')).to.equal('not json\n');
  });
});
