import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { AuthServiceClient } from '../gen/ecommerce/auth/v1/auth.js';
import { AuthEventTap, tokenOfLink } from './support/auth-events.js';
import { failureOf, plainClient } from './support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { uniqueEmail } from './support/unique.js';

const PASSWORD = 'correct-horse-42';
const NEW_PASSWORD = 'battery-staple-77';

/**
 * The whole identity flow over real gRPC, taking the secrets of the emails from the events the
 * auth service publishes (as the notification service does): register → verify → login → refresh
 * → reuse detected (family revoked) → password reset → every session revoked.
 */
describe('identity flow: register, verify from the event, sessions, reuse, reset', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let tap: AuthEventTap;
  let auth: ReturnType<typeof plainClient<typeof AuthServiceClient.service>>;
  let adminToken: string;

  before(async () => {
    mesh = await startTestMesh(['auth']);
    tap = await AuthEventTap.start(mesh);
    auth = plainClient(AuthServiceClient, mesh.address('auth'));
    adminToken = (await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
  });
  after(async () => {
    auth?.close();
    await mesh?.stop();
    await tap?.stop();
  });

  async function auditOf(userId: string, action: string) {
    const { events } = await auth.listAuditEvents(
      { userId, action, page: undefined, occurredAfter: undefined, occurredBefore: undefined },
      { token: adminToken },
    );
    return events;
  }

  it('goes through the whole flow', async () => {
    const email = uniqueEmail('flow');
    const { userId } = await auth.register({
      email,
      password: PASSWORD,
      firstName: 'Ada',
      lastName: 'Lovelace',
    });

    // Verify with the link the event carries; the event never carries the password.
    const request = await tap.next('auth.email_verification.requested', (m) => m.userId === userId);
    expect(request).to.include({ email, firstName: 'Ada' });
    expect(request.verificationLink).to.match(
      /^http:\/\/localhost:3000\/verify-email\?token=[A-Za-z0-9_-]{43}$/,
    );
    expect(request.expiresAt!.getTime() - Date.now()).to.be.within(23.9 * 3600_000, 24 * 3600_000);
    expect(JSON.stringify(request)).not.to.contain(PASSWORD);
    const registered = await tap.next('auth.user.registered', (m) => m.userId === userId);
    expect(JSON.stringify(registered)).not.to.contain(tokenOfLink(request.verificationLink));

    const verifyToken = tokenOfLink(request.verificationLink);
    expect(await auth.verifyEmail({ token: verifyToken })).to.deep.equal({ userId, email });
    const verified = await tap.next('auth.user.email_verified', (m) => m.userId === userId);
    expect(verified.email).to.equal(email);
    expect((await auth.getUser({ userId }, { token: adminToken })).user?.emailVerified).to.equal(true);
    const again = await failureOf(auth.verifyEmail({ token: verifyToken }));
    expect(again.code).to.equal(status.INVALID_ARGUMENT);
    expect(again.violations).to.deep.equal([{ field: 'token', description: 'is invalid or has expired' }]);

    // Log in and refresh: the refresh token rotates, the session id stays.
    const first = await auth.login({ email, password: PASSWORD });
    const second = await auth.refresh({ refreshToken: first.refreshToken });
    expect(second.refreshToken).not.to.equal(first.refreshToken);
    expect(second.userId).to.equal(userId);
    expect(second.refreshTokenExpiresAt).to.deep.equal(first.refreshTokenExpiresAt);
    const sid = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid;
    expect(sid(second.accessToken)).to.equal(sid(first.accessToken));

    // Presenting the spent token again is reuse: refused, and the whole family is revoked.
    const reuse = await failureOf(auth.refresh({ refreshToken: first.refreshToken }));
    expect(reuse.code).to.equal(status.UNAUTHENTICATED);
    expect(reuse.details).to.equal('refresh token was already used; the session is revoked');
    const heir = await failureOf(auth.refresh({ refreshToken: second.refreshToken }));
    expect(heir.code).to.equal(status.UNAUTHENTICATED);
    expect(heir.details).to.equal('refresh token is revoked');
    const reuseAudit = await auditOf(userId, 'token_reuse_detected');
    expect(reuseAudit).to.have.length(1);
    expect(JSON.parse(reuseAudit[0]!.metadataJson)).to.include({ family_id: sid(first.accessToken) });

    // Two live sessions, then a password reset from the emailed link ends both.
    const phone = await auth.login({ email, password: PASSWORD });
    const laptop = await auth.login({ email, password: PASSWORD });
    expect(await auth.requestPasswordReset({ email: email.toUpperCase() })).to.deep.equal({});
    const reset = await tap.next('auth.password_reset.requested', (m) => m.userId === userId);
    expect(reset.email).to.equal(email);
    expect(reset.resetLink).to.match(/^http:\/\/localhost:3000\/reset-password\?token=[A-Za-z0-9_-]{43}$/);
    expect(reset.expiresAt!.getTime() - Date.now()).to.be.within(59 * 60_000, 60 * 60_000);
    const resetToken = tokenOfLink(reset.resetLink);
    expect(await auth.resetPassword({ token: resetToken, newPassword: NEW_PASSWORD })).to.deep.equal({
      userId,
    });

    for (const session of [phone, laptop]) {
      const refused = await failureOf(auth.refresh({ refreshToken: session.refreshToken }));
      expect(refused.code).to.equal(status.UNAUTHENTICATED);
      expect(refused.details).to.equal('refresh token is revoked');
    }
    const reused = await failureOf(auth.resetPassword({ token: resetToken, newPassword: 'another-pass-99' }));
    expect(reused.violations).to.deep.equal([{ field: 'token', description: 'is invalid or has expired' }]);
    expect((await failureOf(auth.login({ email, password: PASSWORD }))).code).to.equal(
      status.UNAUTHENTICATED,
    );
    await auth.login({ email, password: NEW_PASSWORD });
    const resetAudit = await auditOf(userId, 'password_reset');
    expect(JSON.parse(resetAudit[0]!.metadataJson)).to.deep.equal({ sessions_revoked: 2 });
  });

  it('RequestPasswordReset answers the same for an unknown email and publishes nothing', async () => {
    const ghost = uniqueEmail('ghost');
    expect(await auth.requestPasswordReset({ email: ghost })).to.deep.equal({});
    const email = uniqueEmail('known');
    const { userId } = await auth.register({ email, password: PASSWORD, firstName: 'K', lastName: 'N' });
    expect(await auth.requestPasswordReset({ email })).to.deep.equal({});
    await tap.next('auth.password_reset.requested', (m) => m.userId === userId);
    expect(tap.all('auth.password_reset.requested', (m) => m.email === ghost)).to.deep.equal([]);
    // A second request within the minute does nothing, with the same answer.
    expect(await auth.requestPasswordReset({ email })).to.deep.equal({});
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(tap.all('auth.password_reset.requested', (m) => m.userId === userId)).to.have.length(1);
    const bad = await failureOf(auth.requestPasswordReset({ email: 'nope' }));
    expect(bad.violations).to.deep.equal([{ field: 'email', description: 'must be a valid email address' }]);
  });

  it('ResetPassword refuses a weak password without spending the token, and an unknown token', async () => {
    const email = uniqueEmail('weak');
    const { userId } = await auth.register({ email, password: PASSWORD, firstName: 'W', lastName: 'P' });
    await auth.requestPasswordReset({ email });
    const token = tokenOfLink(
      (await tap.next('auth.password_reset.requested', (m) => m.userId === userId)).resetLink,
    );
    const weak = await failureOf(auth.resetPassword({ token, newPassword: 'short1' }));
    expect(weak.violations).to.deep.equal([
      { field: 'new_password', description: 'must be at least 10 characters' },
    ]);
    const missing = await failureOf(auth.resetPassword({ token: '', newPassword: NEW_PASSWORD }));
    expect(missing.violations).to.deep.equal([{ field: 'token', description: 'is required' }]);
    const unknown = await failureOf(auth.resetPassword({ token: 'x'.repeat(43), newPassword: NEW_PASSWORD }));
    expect(unknown.violations).to.deep.equal([{ field: 'token', description: 'is invalid or has expired' }]);
    // The password is unchanged and the token still works.
    await auth.login({ email, password: PASSWORD });
    expect(await auth.resetPassword({ token, newPassword: NEW_PASSWORD })).to.deep.equal({ userId });
  });

  it('two refreshes with one token at once: exactly one wins, the other is reuse and revokes the family', async () => {
    const email = uniqueEmail('race');
    await auth.register({ email, password: PASSWORD, firstName: 'R', lastName: 'C' });
    const session = await auth.login({ email, password: PASSWORD });
    const outcomes = await Promise.allSettled([
      auth.refresh({ refreshToken: session.refreshToken }),
      auth.refresh({ refreshToken: session.refreshToken }),
    ]);
    const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const lost = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [o.reason as { code: number; details: string }] : [],
    );
    expect(won).to.have.length(1);
    expect(lost).to.have.length(1);
    expect(lost[0]).to.include({
      code: status.UNAUTHENTICATED,
      details: 'refresh token was already used; the session is revoked',
    });
    // Indistinguishable from a stolen token replayed: the winner's new token is revoked too.
    const after = await failureOf(auth.refresh({ refreshToken: won[0]!.refreshToken }));
    expect(after.code).to.equal(status.UNAUTHENTICATED);
  });

  it('VerifyEmail: a missing token is INVALID_ARGUMENT naming it', async () => {
    const failure = await failureOf(auth.verifyEmail({ token: '  ' }));
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations).to.deep.equal([{ field: 'token', description: 'is required' }]);
  });
});
