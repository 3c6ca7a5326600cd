import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { AuthServiceClient, type LoginResponse } from '../gen/ecommerce/auth/v1/auth.js';
import { failureOf, plainClient, type CallFailure } from './support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { uniqueEmail } from './support/unique.js';

const PASSWORD = 'correct-horse-42';

/** Starts an auth-only mesh with some settings changed (the harness copies process.env at start). */
async function meshWith(settings: Record<string, string>): Promise<TestMesh> {
  const saved = Object.fromEntries(Object.keys(settings).map((key) => [key, process.env[key]]));
  Object.assign(process.env, settings);
  try {
    return await startTestMesh(['auth']);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Login as a BFF forwarding the shopper's address. */
function loginFrom(address: string, ip: string, email: string, password: string): Promise<LoginResponse> {
  const client = new AuthServiceClient(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('x-forwarded-for', `${ip}, 10.0.0.1`);
  metadata.set('x-user-agent', 'limits-test/1.0');
  return new Promise<LoginResponse>((resolve, reject) =>
    client.login({ email, password }, metadata, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  ).finally(() => client.close());
}

function tally(outcomes: PromiseSettledResult<unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = outcome.status === 'fulfilled' ? 'OK' : grpc.status[(outcome.reason as CallFailure).code]!;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('auth login limits: lockout under 50 parallel attempts, per-email and per-address rate limits', function () {
  this.timeout(180_000);

  describe('with the default rate limits', () => {
    let mesh: TestMesh;
    let auth: ReturnType<typeof plainClient<typeof AuthServiceClient.service>>;
    let adminToken: string;

    before(async () => {
      mesh = await startTestMesh(['auth']);
      auth = plainClient(AuthServiceClient, mesh.address('auth'));
      adminToken = (await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
    });
    after(async () => {
      auth?.close();
      await mesh?.stop();
    });

    it('50 parallel wrong passwords: 10 reach the password check (UNAUTHENTICATED), 40 are RESOURCE_EXHAUSTED; locked once at 5', async () => {
      const email = uniqueEmail('flood');
      const { userId } = await auth.register({ email, password: PASSWORD, firstName: 'F', lastName: 'L' });
      const started = Date.now();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => auth.login({ email, password: `wrong-password-${i}` })),
      );
      expect(tally(outcomes)).to.deep.equal({ UNAUTHENTICATED: 10, RESOURCE_EXHAUSTED: 40 });
      for (const outcome of outcomes) {
        const failure = (outcome as PromiseRejectedResult).reason as CallFailure;
        if (failure.code === grpc.status.UNAUTHENTICATED)
          expect(failure.details).to.equal('invalid email or password');
        else {
          expect(failure.details).to.match(/^too many login attempts; retry in \d+ s$/);
          expect(failure.errorInfo?.reason).to.equal('TOO_MANY_LOGIN_ATTEMPTS');
          expect(failure.errorInfo?.metadata?.retry_after_seconds).to.match(/^\d+$/);
        }
      }
      const { user } = await auth.getUser({ userId }, { token: adminToken });
      expect(user!.failedLoginAttempts).to.equal(5);
      const lockedFor = user!.lockedUntil!.getTime() - started;
      expect(lockedFor).to.be.within(14 * 60_000, 15 * 60_000 + 10_000);

      const audit = async (action: string) =>
        (
          await auth.listAuditEvents(
            {
              userId: action === 'login_rate_limited' ? '' : userId,
              action,
              page: { pageSize: 100, pageToken: '' },
              occurredAfter: new Date(started),
              occurredBefore: undefined,
            },
            { token: adminToken },
          )
        ).events.filter((event) => event.email === email);
      expect(await audit('account_locked')).to.have.length(1);
      expect(await audit('login_failed')).to.have.length(10);
      // One entry per limited email per minute, however many refusals: a flood cannot flood the log.
      const limited = await audit('login_rate_limited');
      expect(limited).to.have.length(1);
      expect(JSON.parse(limited[0]!.metadataJson)).to.deep.equal({ limit: 'email' });

      // An unknown email hits the same wall with the same answers: nothing tells them apart.
      const ghost = uniqueEmail('ghost');
      const ghostOutcomes = await Promise.allSettled(
        Array.from({ length: 12 }, () => auth.login({ email: ghost, password: 'wrong-password-x' })),
      );
      expect(tally(ghostOutcomes)).to.deep.equal({ UNAUTHENTICATED: 10, RESOURCE_EXHAUSTED: 2 });
    });

    it('too many failures from one address: RESOURCE_EXHAUSTED for any email from it, other addresses unaffected', async () => {
      const address = mesh.address('auth');
      const email = uniqueEmail('ip');
      await auth.register({ email, password: PASSWORD, firstName: 'I', lastName: 'P' });
      for (let i = 0; i < 50; i++) {
        const failure = await failureOf(
          loginFrom(address, '203.0.113.9', uniqueEmail(`spray${i}`), 'wrong-password-1'),
        );
        expect(failure.code).to.equal(grpc.status.UNAUTHENTICATED);
      }
      const blocked = await failureOf(loginFrom(address, '203.0.113.9', email, PASSWORD));
      expect(blocked.code).to.equal(grpc.status.RESOURCE_EXHAUSTED);
      const limited = await auth.listAuditEvents(
        {
          userId: '',
          action: 'login_rate_limited',
          page: undefined,
          occurredAfter: undefined,
          occurredBefore: undefined,
        },
        { token: adminToken },
      );
      const entry = limited.events.find((e) => e.email === email)!;
      expect(entry).to.include({ ipAddress: '203.0.113.9', userAgent: 'limits-test/1.0' });
      expect(JSON.parse(entry.metadataJson)).to.deep.equal({ limit: 'ip' });
      const fine = await loginFrom(address, '198.51.100.7', email, PASSWORD);
      expect(fine.userId).to.not.equal('');

      const { events } = await auth.listAuditEvents(
        {
          userId: fine.userId,
          action: 'login_succeeded',
          page: undefined,
          occurredAfter: undefined,
          occurredBefore: undefined,
        },
        { token: adminToken },
      );
      expect(events[0]).to.include({ ipAddress: '198.51.100.7', userAgent: 'limits-test/1.0' });
    });
  });

  describe('with the rate limits lifted: the lockout alone decides', () => {
    let mesh: TestMesh;
    let auth: ReturnType<typeof plainClient<typeof AuthServiceClient.service>>;
    let adminToken: string;

    before(async () => {
      mesh = await meshWith({
        AUTH_LOGIN_ATTEMPTS_PER_EMAIL_PER_MINUTE: '0',
        AUTH_LOGIN_FAILURES_PER_IP_PER_15_MINUTES: '0',
      });
      auth = plainClient(AuthServiceClient, mesh.address('auth'));
      adminToken = (await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
    });
    after(async () => {
      auth?.close();
      await mesh?.stop();
    });

    it('50 parallel wrong passwords: all UNAUTHENTICATED, the count stops at 5, one lock, one account_locked entry', async () => {
      const email = uniqueEmail('race');
      const { userId } = await auth.register({ email, password: PASSWORD, firstName: 'R', lastName: 'A' });
      const started = Date.now();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => auth.login({ email, password: `wrong-password-${i}` })),
      );
      expect(tally(outcomes)).to.deep.equal({ UNAUTHENTICATED: 50 });
      const details = new Set(
        outcomes.map((o) => ((o as PromiseRejectedResult).reason as CallFailure).details),
      );
      expect([...details]).to.deep.equal(['invalid email or password']);

      const { user } = await auth.getUser({ userId }, { token: adminToken });
      expect(user!.failedLoginAttempts).to.equal(5);
      expect(user!.lockedUntil!.getTime() - started).to.be.within(14 * 60_000, 15 * 60_000 + 10_000);
      const events = async (action: string) =>
        (
          await auth.listAuditEvents(
            {
              userId,
              action,
              page: { pageSize: 100, pageToken: '' },
              occurredAfter: undefined,
              occurredBefore: undefined,
            },
            { token: adminToken },
          )
        ).events;
      expect(await events('account_locked')).to.have.length(1);
      const failed = await events('login_failed');
      expect(failed).to.have.length(50);
      const counted = failed
        .map((e) => JSON.parse(e.metadataJson) as { attempts?: number })
        .flatMap((m) => m.attempts ?? []);
      expect(counted.sort()).to.deep.equal([1, 2, 3, 4, 5]);

      // Locked: even the right password gets the one answer.
      const locked = await failureOf(auth.login({ email, password: PASSWORD }));
      expect(locked.code).to.equal(grpc.status.UNAUTHENTICATED);
      expect(locked.details).to.equal('invalid email or password');
    });
  });
});
