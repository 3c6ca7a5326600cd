import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { TokenSigner } from '../../../lib/auth/token-signer.js';
import { EmailVerificationRequested, PasswordResetRequested } from '../../../gen/ecommerce/auth/v1/events.js';
import { decodeEnvelope } from '../../../lib/events/index.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { accountMaker, links, noLoginLimits, openAuthDomain, PASSWORD } from './auth-domain.js';
import type { ClientInfo } from '../src/domain/client-info.js';
import { resendVerification, verifyEmail } from '../src/domain/email-verification.js';
import { login } from '../src/domain/login.js';
import { requestPasswordReset, resetPassword } from '../src/domain/passwords.js';
import { refreshSession } from '../src/domain/refresh.js';
import { SlidingWindowCounter } from '../src/domain/sliding-window.js';
import { purgeExpiredTokens } from '../src/jobs/token-cleanup.js';
import { failureOf } from '../../../lib/testing/app-error.js';

const client: ClientInfo = { ip: '192.0.2.1', userAgent: 'expiry-test' };

/** What the clock alone changes: expired links, tokens and locks (rows are moved back in time). */
describe('auth domain: expiry of links, refresh tokens and lockouts', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let signer: TokenSigner;
  let register: ReturnType<typeof accountMaker>;

  before(async () => {
    ({ db, signer } = await openAuthDomain('auth_expiry'));
    register = accountMaker(db, client, 'expiry');
  });
  after(async () => {
    await db?.drop();
  });

  /** The raw token of the user's newest link event in the outbox (what the email would carry). */
  async function linkToken(kind: 'verification' | 'reset', userId: string): Promise<string> {
    const type =
      kind === 'verification'
        ? 'ecommerce.auth.v1.EmailVerificationRequested'
        : 'ecommerce.auth.v1.PasswordResetRequested';
    const rows = await db.orm.em
      .fork()
      .execute<{ envelope: Uint8Array }[]>(
        `SELECT envelope FROM infra.outbox WHERE type = ? ORDER BY id DESC`,
        [type],
      );
    for (const row of rows) {
      const payload = decodeEnvelope(row.envelope).payload;
      const event =
        kind === 'verification'
          ? EmailVerificationRequested.decode(payload)
          : PasswordResetRequested.decode(payload);
      if (event.userId !== userId) continue;
      const link = 'verificationLink' in event ? event.verificationLink : event.resetLink;
      return new URL(link).searchParams.get('token')!;
    }
    throw new Error(`no ${type} for ${userId}`);
  }

  it('a verification link stops working after its expiry', async () => {
    const { userId } = await register();
    const token = await linkToken('verification', userId);
    await db.orm.em
      .fork()
      .execute(
        `UPDATE email_verification_tokens SET expires_at = now() - interval '1 second' WHERE user_id = ?`,
        [userId],
      );
    const failure = await failureOf(verifyEmail(db.orm.em.fork(), { token }, client));
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations).to.deep.equal([{ field: 'token', description: 'is invalid or has expired' }]);
  });

  it('a resend replaces the earlier link, and is allowed again a minute after the last one', async () => {
    const { userId, email } = await register();
    const first = await linkToken('verification', userId);
    await db.orm.em
      .fork()
      .execute(
        `UPDATE email_verification_tokens SET created_at = now() - interval '61 seconds' WHERE user_id = ?`,
        [userId],
      );
    const principal = { userId, email, roles: ['customer'], permissions: [], sessionId: 'a-session' };
    const expiresAt = await resendVerification(db.orm.em.fork(), links, principal, client);
    expect(expiresAt.getTime() - Date.now()).to.be.within(23.9 * 3600_000, 24 * 3600_000);
    const second = await linkToken('verification', userId);
    expect(second).not.to.equal(first);
    expect((await failureOf(verifyEmail(db.orm.em.fork(), { token: first }, client))).code).to.equal(
      status.INVALID_ARGUMENT,
    );
    expect(await verifyEmail(db.orm.em.fork(), { token: second }, client)).to.deep.equal({ userId, email });
  });

  it('a reset link stops working after its expiry, and the password stays', async () => {
    const { userId, email } = await register();
    await requestPasswordReset(db.orm.em.fork(), links, { email }, client);
    const token = await linkToken('reset', userId);
    await db.orm.em
      .fork()
      .execute(
        `UPDATE password_reset_tokens SET expires_at = now() - interval '1 second' WHERE user_id = ?`,
        [userId],
      );
    const failure = await failureOf(
      resetPassword(db.orm.em.fork(), { token, newPassword: 'brand-new-pass-5' }, client),
    );
    expect(failure.violations).to.deep.equal([{ field: 'token', description: 'is invalid or has expired' }]);
    await login(db.orm.em.fork(), signer, noLoginLimits(), { email, password: PASSWORD }, client);
  });

  it('an expired refresh token is UNAUTHENTICATED', async () => {
    const { userId, email } = await register();
    const session = await login(
      db.orm.em.fork(),
      signer,
      noLoginLimits(),
      { email, password: PASSWORD },
      client,
    );
    await db.orm.em
      .fork()
      .execute(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = ?`, [
        userId,
      ]);
    const failure = await failureOf(
      refreshSession(db.orm.em.fork(), signer, { refreshToken: session.refreshToken }, client),
    );
    expect(failure.code).to.equal(status.UNAUTHENTICATED);
    expect(failure.message).to.equal('refresh token expired');
  });

  it('purges tokens and links that expired more than a week ago, and nothing younger', async () => {
    const { userId, email } = await register();
    await login(db.orm.em.fork(), signer, noLoginLimits(), { email, password: PASSWORD }, client);
    await login(db.orm.em.fork(), signer, noLoginLimits(), { email, password: PASSWORD }, client);
    await requestPasswordReset(db.orm.em.fork(), links, { email }, client);
    const em = db.orm.em.fork();
    const [old] = await em.execute<{ id: string }[]>(
      `SELECT id FROM refresh_tokens WHERE user_id = ? LIMIT 1`,
      [userId],
    );
    await em.execute(`UPDATE refresh_tokens SET expires_at = now() - interval '8 days' WHERE id = ?`, [
      old!.id,
    ]);
    await em.execute(
      `UPDATE email_verification_tokens SET expires_at = now() - interval '8 days' WHERE user_id = ?`,
      [userId],
    );
    await em.execute(
      `UPDATE password_reset_tokens SET expires_at = now() - interval '6 days' WHERE user_id = ?`,
      [userId],
    );
    const purged = await purgeExpiredTokens(db.orm.em.fork());
    // Rows other tests expired a second ago stay too: only the week-old ones go.
    expect(purged).to.deep.equal({ refreshTokens: 1, verificationTokens: 1, resetTokens: 0 });
    const left = await em.execute<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = ?`,
      [userId],
    );
    expect(left[0]!.n).to.equal(1);
  });

  it('a lock that has run out lets the right password in; a wrong one after it starts a new count', async () => {
    const { userId, email } = await register();
    const limits = noLoginLimits();
    for (let i = 0; i < 5; i++) {
      await failureOf(
        login(db.orm.em.fork(), signer, limits, { email, password: `wrong-pass-${i}` }, client),
      );
    }
    const state = async () =>
      (
        await db.orm.em
          .fork()
          .execute<{ failed_login_attempts: number; locked: boolean }[]>(
            `SELECT failed_login_attempts, coalesce(locked_until > now(), false) AS locked FROM users WHERE id = ?`,
            [userId],
          )
      )[0]!;
    expect(await state()).to.deep.equal({ failed_login_attempts: 5, locked: true });
    await db.orm.em
      .fork()
      .execute(`UPDATE users SET locked_until = now() - interval '1 second' WHERE id = ?`, [userId]);
    await failureOf(login(db.orm.em.fork(), signer, limits, { email, password: 'wrong-again-1' }, client));
    expect(await state()).to.deep.equal({ failed_login_attempts: 1, locked: false });
    await login(db.orm.em.fork(), signer, limits, { email, password: PASSWORD }, client);
    expect(await state()).to.deep.equal({ failed_login_attempts: 0, locked: false });
  });
});

describe('SlidingWindowCounter', () => {
  it('admits up to the limit per key within the window and says when there is room again', () => {
    let now = 0;
    const counter = new SlidingWindowCounter(3, 1000, () => now);
    expect([
      counter.tryTake('a'),
      counter.tryTake('a'),
      counter.tryTake('a'),
      counter.tryTake('a'),
    ]).to.deep.equal([true, true, true, false]);
    expect(counter.tryTake('b')).to.equal(true);
    expect(counter.retryAfterMs('a')).to.equal(1000);
    now = 999;
    expect(counter.isExhausted('a')).to.equal(true);
    now = 1001;
    expect(counter.count('a')).to.equal(0);
    expect(counter.tryTake('a')).to.equal(true);
  });

  it('a limit of 0 disables it', () => {
    const counter = new SlidingWindowCounter(0, 1000);
    for (let i = 0; i < 100; i++) expect(counter.tryTake('a')).to.equal(true);
    expect(counter.count('a')).to.equal(0);
  });

  it('forgets idle keys when it grows past its bound', () => {
    let now = 0;
    const counter = new SlidingWindowCounter(1, 100, () => now, 10);
    for (let i = 0; i < 10; i++) counter.record(`k${i}`);
    now = 200;
    counter.record('fresh');
    expect(counter.size).to.equal(1);
  });

  it('under a spray of distinct live keys holds at most its bound and does constant work per hit', () => {
    let clockReads = 0;
    const counter = new SlidingWindowCounter(5, 60_000, () => (clockReads++, 1000), 1000);
    for (let i = 0; i < 1000; i++) counter.tryTake(`first${i}@example.com`);
    const readsForFirstThousand = clockReads;
    clockReads = 0;
    for (let i = 0; i < 2000; i++) counter.tryTake(`spray${i}@example.com`);
    expect(counter.size).to.equal(1000);
    // The same handful of clock reads per hit as below the bound, not one per key held.
    expect(clockReads).to.be.at.most(2 * readsForFirstThousand + 2000);
  });

  it('past its bound forgets the key idle longest, and a busy key stays limited', () => {
    let now = 0;
    const counter = new SlidingWindowCounter(2, 60_000, () => now, 3);
    counter.tryTake('idle');
    now = 1;
    counter.tryTake('busy');
    counter.tryTake('busy');
    now = 2;
    counter.tryTake('b');
    counter.tryTake('c');
    expect(counter.count('idle')).to.equal(0);
    expect(counter.tryTake('busy')).to.equal(false);
    expect(counter.retryAfterMs('busy')).to.equal(60_000 - 1);
  });

  it('keeps only the hits that decide the limit for a key hit over and over', () => {
    let now = 0;
    const counter = new SlidingWindowCounter(3, 60_000, () => now);
    for (let i = 0; i < 10_000; i++) counter.record('ip');
    expect(counter.count('ip')).to.equal(3);
    now = 60_001;
    expect(counter.isExhausted('ip')).to.equal(false);
  });
});
