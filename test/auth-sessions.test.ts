import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { AuthServiceClient } from '../gen/ecommerce/auth/v1/auth.js';
import { AuthEventTap } from './support/auth-events.js';
import { failureOf, plainClient } from './support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { uniqueEmail } from './support/unique.js';

const PASSWORD = 'correct-horse-42';

/** Sessions: Refresh, Logout, LogoutAll, ChangePassword, ResendVerification and their failures. */
describe('auth sessions over gRPC', function () {
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

  async function newAccount(tag: string) {
    const email = uniqueEmail(tag);
    const { userId } = await auth.register({ email, password: PASSWORD, firstName: 'S', lastName: 'T' });
    return { email, userId, login: () => auth.login({ email, password: PASSWORD }) };
  }

  async function refreshFails(refreshToken: string): Promise<string> {
    const failure = await failureOf(auth.refresh({ refreshToken }));
    expect(failure.code).to.equal(status.UNAUTHENTICATED);
    return failure.details;
  }

  describe('Register and Login input', () => {
    it('Register names each field at fault and creates nothing', async () => {
      const email = uniqueEmail('fields');
      const cases: [Parameters<typeof auth.register>[0], { field: string; description: string }][] = [
        [
          { email, password: PASSWORD, firstName: '  ', lastName: 'B' },
          { field: 'first_name', description: 'is required' },
        ],
        [
          { email, password: PASSWORD, firstName: 'A', lastName: 'x'.repeat(101) },
          { field: 'last_name', description: 'must be at most 100 characters' },
        ],
        [
          { email, password: 'onlyletterspassword', firstName: 'A', lastName: 'B' },
          { field: 'password', description: 'must contain a letter and a digit or symbol' },
        ],
        [
          { email, password: `${email.split('@')[0]}-42`, firstName: 'A', lastName: 'B' },
          { field: 'password', description: 'must not contain the email address' },
        ],
        [
          { email: '', password: PASSWORD, firstName: 'A', lastName: 'B' },
          { field: 'email', description: 'is required' },
        ],
      ];
      for (const [request, violation] of cases) {
        const failure = await failureOf(auth.register(request));
        expect(failure.code).to.equal(status.INVALID_ARGUMENT);
        expect(failure.violations).to.deep.equal([violation]);
      }
      await auth.register({ email, password: PASSWORD, firstName: 'A', lastName: 'B' });
    });

    it('Login answers INVALID_ARGUMENT for a missing password or a malformed email', async () => {
      const noPassword = await failureOf(auth.login({ email: uniqueEmail('np'), password: '' }));
      expect(noPassword.violations).to.deep.equal([{ field: 'password', description: 'is required' }]);
      const badEmail = await failureOf(auth.login({ email: 'not-an-email', password: PASSWORD }));
      expect(badEmail.violations).to.deep.equal([
        { field: 'email', description: 'must be a valid email address' },
      ]);
    });
  });

  describe('Refresh', () => {
    it('answers INVALID_ARGUMENT for a missing token and UNAUTHENTICATED for an unknown one', async () => {
      const missing = await failureOf(auth.refresh({ refreshToken: '' }));
      expect(missing.code).to.equal(status.INVALID_ARGUMENT);
      expect(missing.violations).to.deep.equal([{ field: 'refresh_token', description: 'is required' }]);
      expect(await refreshFails('not-a-token')).to.equal('refresh token is invalid');
    });

    it('carries the current roles into the new access token', async () => {
      const account = await newAccount('roles');
      const session = await account.login();
      await auth.assignRole({ userId: account.userId, role: 'admin' }, { token: adminToken });
      const refreshed = await auth.refresh({ refreshToken: session.refreshToken });
      const claims = JSON.parse(Buffer.from(refreshed.accessToken.split('.')[1]!, 'base64url').toString());
      expect(claims.roles).to.deep.equal(['admin', 'customer']);
      expect(claims.perms).to.deep.equal(['*']);
      expect(refreshed.tokenType).to.equal('Bearer');
    });
  });

  describe('Logout and LogoutAll', () => {
    it('Logout ends this session only, and is idempotent', async () => {
      const account = await newAccount('logout');
      const here = await account.login();
      const elsewhere = await account.login();
      expect(await auth.logout({}, { token: here.accessToken })).to.deep.equal({});
      expect(await auth.logout({}, { token: here.accessToken })).to.deep.equal({});
      expect(await refreshFails(here.refreshToken)).to.equal('refresh token is revoked');
      await auth.refresh({ refreshToken: elsewhere.refreshToken });
    });

    it('Logout after a rotation ends the rotated session too', async () => {
      const account = await newAccount('logout-rot');
      const first = await account.login();
      const rotated = await auth.refresh({ refreshToken: first.refreshToken });
      await auth.logout({}, { token: first.accessToken });
      expect(await refreshFails(rotated.refreshToken)).to.equal('refresh token is revoked');
    });

    it('LogoutAll ends every session and says how many', async () => {
      const account = await newAccount('logout-all');
      const sessions = [await account.login(), await account.login(), await account.login()];
      expect(await auth.logoutAll({}, { token: sessions[0]!.accessToken })).to.deep.equal({
        sessionsRevoked: 3,
      });
      for (const session of sessions) await refreshFails(session.refreshToken);
      expect(await auth.logoutAll({}, { token: sessions[0]!.accessToken })).to.deep.equal({
        sessionsRevoked: 0,
      });
    });

    it('need a token: UNAUTHENTICATED without one', async () => {
      expect((await failureOf(auth.logout({}))).code).to.equal(status.UNAUTHENTICATED);
      expect((await failureOf(auth.logoutAll({}))).code).to.equal(status.UNAUTHENTICATED);
    });
  });

  describe('ChangePassword', () => {
    it('changes the password and ends every other session, keeping this one', async () => {
      const account = await newAccount('change');
      const here = await account.login();
      const other = await account.login();
      const result = await auth.changePassword(
        { currentPassword: PASSWORD, newPassword: 'brand-new-pass-5' },
        { token: here.accessToken },
      );
      expect(result).to.deep.equal({ sessionsRevoked: 1 });
      expect(await refreshFails(other.refreshToken)).to.equal('refresh token is revoked');
      await auth.refresh({ refreshToken: here.refreshToken });
      await auth.login({ email: account.email, password: 'brand-new-pass-5' });
      expect((await failureOf(account.login())).code).to.equal(status.UNAUTHENTICATED);
    });

    it('refuses a wrong current password (UNAUTHENTICATED, counted), a weak or unchanged new one, and changes nothing', async () => {
      const account = await newAccount('change-bad');
      const { accessToken } = await account.login();
      const wrong = await failureOf(
        auth.changePassword(
          { currentPassword: 'not-it-123', newPassword: 'brand-new-pass-5' },
          { token: accessToken },
        ),
      );
      expect(wrong.code).to.equal(status.UNAUTHENTICATED);
      expect(wrong.details).to.equal('current password is wrong');
      expect(
        (await auth.getUser({ userId: account.userId }, { token: adminToken })).user?.failedLoginAttempts,
      ).to.equal(1);

      const weak = await failureOf(
        auth.changePassword({ currentPassword: PASSWORD, newPassword: 'short' }, { token: accessToken }),
      );
      expect(weak.violations).to.deep.equal([
        { field: 'new_password', description: 'must be at least 10 characters' },
      ]);
      const same = await failureOf(
        auth.changePassword({ currentPassword: PASSWORD, newPassword: PASSWORD }, { token: accessToken }),
      );
      expect(same.violations).to.deep.equal([
        { field: 'new_password', description: 'must differ from the current password' },
      ]);
      const missing = await failureOf(
        auth.changePassword({ currentPassword: '', newPassword: 'brand-new-pass-5' }, { token: accessToken }),
      );
      expect(missing.violations).to.deep.equal([{ field: 'current_password', description: 'is required' }]);
      await account.login(); // the password is unchanged
      expect(
        (await failureOf(auth.changePassword({ currentPassword: PASSWORD, newPassword: 'x' }))).code,
      ).to.equal(status.UNAUTHENTICATED);
    });
  });

  describe('ResendVerification', () => {
    it('answers RESOURCE_EXHAUSTED within a minute of the last link, FAILED_PRECONDITION once verified', async () => {
      const account = await newAccount('resend');
      const { accessToken } = await account.login();
      const tooSoon = await failureOf(auth.resendVerification({}, { token: accessToken }));
      expect(tooSoon.code).to.equal(status.RESOURCE_EXHAUSTED);
      expect(tooSoon.details).to.equal('a verification email was sent less than 60 s ago');
      const link = (await tap.next('auth.email_verification.requested', (m) => m.userId === account.userId))
        .verificationLink;
      await auth.verifyEmail({ token: new URL(link).searchParams.get('token')! });
      const done = await failureOf(auth.resendVerification({}, { token: accessToken }));
      expect(done.code).to.equal(status.FAILED_PRECONDITION);
      expect(done.details).to.equal('the email is already verified');
      expect((await failureOf(auth.resendVerification({}))).code).to.equal(status.UNAUTHENTICATED);
    });
  });

  describe('a deactivated account', () => {
    it('cannot log in (same answer as an unknown email) nor refresh', async () => {
      const account = await newAccount('inactive');
      const session = await account.login();
      await auth.deactivateUser({ userId: account.userId, reason: 'fraud' }, { token: adminToken });
      const refused = await failureOf(account.login());
      const unknown = await failureOf(auth.login({ email: uniqueEmail('nobody'), password: PASSWORD }));
      expect(refused.code).to.equal(status.UNAUTHENTICATED);
      expect(refused.details).to.equal(unknown.details);
      expect(await refreshFails(session.refreshToken)).to.equal('refresh token is revoked');
    });
  });
});
