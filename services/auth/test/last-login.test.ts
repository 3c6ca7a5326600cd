import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { ActivityFilter } from '../../../gen/ecommerce/auth/v1/auth.js';
import { TokenSigner } from '../../../lib/auth/token-signer.js';
import { AppError } from '../../../lib/errors.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { accountMaker, noLoginLimits, openAuthDomain, PASSWORD } from './auth-domain.js';
import { getUser, listUsers } from '../src/domain/admin-users.js';
import type { ClientInfo } from '../src/domain/client-info.js';
import { login } from '../src/domain/login.js';

const client: ClientInfo = { ip: '192.0.2.7', userAgent: 'last-login-test' };

/** users.last_login_at: set by every successful Login, in its transaction; shown by GetUser and ListUsers. */
describe('auth domain: last login', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let signer: TokenSigner;
  let register: ReturnType<typeof accountMaker>;

  before(async () => {
    ({ db, signer } = await openAuthDomain('auth_last_login'));
    register = accountMaker(db, client, 'last-login');
  });
  after(async () => {
    await db?.drop();
  });
  const signIn = (email: string, password = PASSWORD) =>
    login(db.orm.em.fork(), signer, noLoginLimits(), { email, password }, client);
  const lastLoginOf = async (userId: string) => (await getUser(db.orm.em.fork(), { userId })).lastLoginAt;
  const listed = async (email: string) => {
    const { users } = await listUsers(db.orm.em.fork(), {
      emailContains: email,
      role: '',
      activity: ActivityFilter.ACTIVITY_FILTER_UNSPECIFIED,
    });
    return users;
  };
  const updatedAtOf = async (userId: string) => {
    const [row] = await db.orm.em
      .fork()
      .execute<{ updated_at: Date | string }[]>('SELECT updated_at FROM users WHERE id = ?', [userId]);
    return new Date(row!.updated_at).getTime();
  };

  it('is unset until the first login, set by each successful one, and shown by GetUser and ListUsers', async () => {
    const { userId, email } = await register();
    expect(await lastLoginOf(userId)).to.equal(undefined);

    const wrong = await signIn(email, 'not-the-password-1').catch((error: unknown) => error);
    expect((wrong as AppError).code).to.equal(status.UNAUTHENTICATED);
    expect(await lastLoginOf(userId), 'a refused login is no login').to.equal(undefined);

    const before = Date.now();
    await signIn(email);
    const first = await lastLoginOf(userId);
    expect(first).to.be.instanceOf(Date);
    expect(first!.getTime()).to.be.within(before - 1000, Date.now() + 1000);
    const [account] = await listed(email);
    expect(account!.lastLoginAt).to.deep.equal(first);
    const updatedAfterFirst = await updatedAtOf(userId);

    await new Promise((resolve) => setTimeout(resolve, 20));
    await signIn(email);
    const second = await lastLoginOf(userId);
    expect(second!.getTime()).to.be.greaterThan(first!.getTime());
    expect(await updatedAtOf(userId), 'the row changed').to.be.greaterThan(updatedAfterFirst);
  });

  it('is written with the rest of the login: a login whose session cannot be stored leaves it unset', async () => {
    const { userId, email } = await register();
    await signIn(email, 'not-the-password-2').catch(() => undefined); // one failed attempt counted
    // The session's refresh token cannot be stored (as if the database refused it mid-login).
    await db.orm.em.fork().execute(
      `CREATE FUNCTION refuse_session() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'no sessions today'; END $$`,
    );
    await db.orm.em
      .fork()
      .execute(
        'CREATE TRIGGER refuse_session BEFORE INSERT ON refresh_tokens FOR EACH ROW EXECUTE FUNCTION refuse_session()',
      );
    try {
      const failure = await signIn(email).catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(Error);
    } finally {
      await db.orm.em.fork().execute('DROP TRIGGER refuse_session ON refresh_tokens');
      await db.orm.em.fork().execute('DROP FUNCTION refuse_session()');
    }
    const account = await getUser(db.orm.em.fork(), { userId });
    expect(account.lastLoginAt).to.equal(undefined);
    expect(account.failedLoginAttempts, 'the reset of the failure count went with it').to.equal(1);

    await signIn(email);
    expect(await lastLoginOf(userId)).to.be.instanceOf(Date);
  });
});
