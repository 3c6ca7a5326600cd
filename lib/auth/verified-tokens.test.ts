import { expect } from 'chai';
import type { Principal } from './principal.js';
import { VerifiedTokens } from './verified-tokens.js';

const alice: Principal = {
  userId: 'alice',
  email: 'alice@example.com',
  roles: ['customer'],
  permissions: [],
};

describe('VerifiedTokens', () => {
  it('answers a remembered token with its principal, and nothing for another token', () => {
    const tokens = new VerifiedTokens(10, 60_000, () => 1_000_000);
    tokens.remember('token-a', alice, 2_000);
    expect(tokens.get('token-a')).to.deep.equal(alice);
    expect(tokens.get('token-b')).to.equal(undefined);
  });

  it('forgets a token when it expires, or after maxAgeMs if that comes first', () => {
    const clock = { now: 1_000_000 };
    const tokens = new VerifiedTokens(10, 60_000, () => clock.now);
    tokens.remember('short', alice, 1_030); // expires 30 s from now
    tokens.remember('long', alice, 1_900); // expires in 15 min: kept 60 s at most
    clock.now += 29_999;
    expect(tokens.get('short')).to.deep.equal(alice);
    clock.now += 1;
    expect(tokens.get('short')).to.equal(undefined);
    clock.now += 29_999;
    expect(tokens.get('long')).to.deep.equal(alice);
    clock.now += 1;
    expect(tokens.get('long')).to.equal(undefined);
    expect(tokens.size).to.equal(0);
  });

  it('holds at most maxEntries, dropping the oldest first', () => {
    const tokens = new VerifiedTokens(2, 60_000, () => 0);
    tokens.remember('first', alice, 100);
    tokens.remember('second', alice, 100);
    tokens.remember('third', alice, 100);
    expect(tokens.size).to.equal(2);
    expect(tokens.get('first')).to.equal(undefined);
    expect(tokens.get('third')).to.deep.equal(alice);
  });

  it('hands out a principal that cannot be changed by the caller', () => {
    const tokens = new VerifiedTokens(10, 60_000, () => 0);
    const first = tokens.remember('token', alice, 100);
    const later = tokens.get('token')!;
    expect(later).to.equal(first);
    expect(Object.isFrozen(later)).to.equal(true);
    expect(() => later.roles.push('admin')).to.throw(TypeError);
    expect(() => later.permissions.push('*')).to.throw(TypeError);
    expect(tokens.get('token')!.roles).to.deep.equal(alice.roles);
  });
});
