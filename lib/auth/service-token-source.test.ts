import { expect } from 'chai';
import { quiet } from '../grpc/test/harness.js';
import { serviceClientSecret, secretsMatch } from './service-secret.js';
import { ServiceTokenSource, type IssuedToken } from './service-token-source.js';

/** An issuer that hands out numbered tokens valid for 5 minutes of the fake clock. */
function fakeIssuer(clock: { now: number }) {
  const calls: { resolve: () => void }[] = [];
  let issued = 0;
  let failing = false;
  let gated = false;
  const issue = async (): Promise<IssuedToken> => {
    if (gated) await new Promise<void>((resolve) => calls.push({ resolve }));
    if (failing) throw new Error('auth is down');
    issued++;
    return { token: `token-${issued}`, expiresAt: new Date(clock.now + 300_000) };
  };
  return {
    issue,
    count: () => issued,
    fail: (value: boolean) => void (failing = value),
    gate: (value: boolean) => void (gated = value),
    release: () => calls.splice(0).forEach((call) => call.resolve()),
  };
}

describe('ServiceTokenSource', () => {
  it('fetches once and serves the cached token until shortly before it expires', async () => {
    const clock = { now: 1_000_000 };
    const issuer = fakeIssuer(clock);
    const source = new ServiceTokenSource(issuer.issue, {
      now: () => clock.now,
      refreshBeforeMs: 60_000,
      logger: quiet,
    });
    expect(await source.token()).to.equal('token-1');
    clock.now += 239_000; // 61 s left: still cached
    expect(await source.token()).to.equal('token-1');
    expect(issuer.count()).to.equal(1);
    clock.now += 2_000; // 59 s left: refreshed
    expect(await source.token()).to.equal('token-2');
    expect(issuer.count()).to.equal(2);
  });

  it('fetches once for many simultaneous callers (single flight)', async () => {
    const clock = { now: 0 };
    const issuer = fakeIssuer(clock);
    issuer.gate(true);
    const source = new ServiceTokenSource(issuer.issue, { now: () => clock.now, logger: quiet });
    const pending = Array.from({ length: 20 }, () => source.token());
    await new Promise((resolve) => setImmediate(resolve));
    issuer.release();
    expect(await Promise.all(pending)).to.deep.equal(Array(20).fill('token-1'));
    expect(issuer.count()).to.equal(1);
  });

  it('keeps serving a still-valid token when a refresh fails, and fails once it has expired', async () => {
    const clock = { now: 0 };
    const issuer = fakeIssuer(clock);
    const source = new ServiceTokenSource(issuer.issue, {
      now: () => clock.now,
      refreshBeforeMs: 60_000,
      logger: quiet,
    });
    await source.token();
    issuer.fail(true);
    clock.now += 250_000; // inside the refresh margin, not expired
    expect(await source.token()).to.equal('token-1');
    clock.now += 60_000; // expired
    let error: unknown;
    await source.token().catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('auth is down');
    issuer.fail(false);
    expect(await source.token()).to.equal('token-2');
  });

  it('a failed first fetch is not cached: the next call tries again', async () => {
    const clock = { now: 0 };
    const issuer = fakeIssuer(clock);
    issuer.fail(true);
    const source = new ServiceTokenSource(issuer.issue, { now: () => clock.now, logger: quiet });
    let error: unknown;
    await source.token().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error);
    issuer.fail(false);
    expect(await source.token()).to.equal('token-1');
  });
});

describe('service client secrets', () => {
  it('derive per service from the master, and compare exactly', () => {
    const master = 'm'.repeat(40);
    const order = serviceClientSecret(master, 'order');
    expect(order).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(serviceClientSecret(master, 'user')).not.to.equal(order);
    expect(serviceClientSecret('n'.repeat(40), 'order')).not.to.equal(order);
    expect(secretsMatch(order, order)).to.equal(true);
    expect(secretsMatch(`${order}x`, order)).to.equal(false);
    expect(secretsMatch('', order)).to.equal(false);
  });
});
