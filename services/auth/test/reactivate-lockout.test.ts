import { expect } from 'chai';
import type { Principal } from '../../../lib/auth/principal.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import { accountMaker, noLoginLimits, openAuthDomain, PASSWORD } from './auth-domain.js';
import type { TokenSigner } from '../../../lib/auth/token-signer.js';
import { reactivateUser } from '../src/domain/admin-users.js';
import type { ClientInfo } from '../src/domain/client-info.js';
import { login } from '../src/domain/login.js';

const client: ClientInfo = { ip: '192.0.2.7', userAgent: 'account-rules-test' };

describe('ReactivateUser lifts a lockout on an active account', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let signer: TokenSigner;
  let register: ReturnType<typeof accountMaker>;
  const admin: Principal = {
    userId: '01900000-0000-7000-8000-0000000000ad',
    email: 'a@example.com',
    roles: ['admin'],
    permissions: ['user:manage'],
  };

  before(async () => {
    ({ db, signer } = await openAuthDomain('auth_account_rules'));
    register = accountMaker(db, client, 'rules');
  });
  after(async () => {
    await db?.drop();
  });

  it('clears the lock and the count, audits it, publishes no reactivation, and the right password works again', async () => {
    const { userId, email } = await register();
    const limits = noLoginLimits();
    for (let i = 0; i < 5; i++) {
      await failureOf(
        login(db.orm.em.fork(), signer, limits, { email, password: `wrong-pass-${i}` }, client),
      );
    }
    const locked = await failureOf(
      login(db.orm.em.fork(), signer, limits, { email, password: PASSWORD }, client),
    );
    expect(locked.message).to.equal('invalid email or password');

    const account = await reactivateUser(db.orm.em.fork(), admin, { userId }, client);
    expect(account).to.include({ isActive: true, failedLoginAttempts: 0 });
    expect(account.lockedUntil).to.equal(undefined);
    await login(db.orm.em.fork(), signer, limits, { email, password: PASSWORD }, client);

    const em = db.orm.em.fork();
    const audits = await em.execute<{ metadata: unknown }[]>(
      `SELECT metadata FROM security_audit_logs WHERE user_id = ? AND action = 'user_reactivated'`,
      [userId],
    );
    expect(audits.map((row) => row.metadata)).to.deep.equal([
      { actor_id: admin.userId, was_active: true, lockout_lifted: true },
    ]);
    const events = await em.execute<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM infra.outbox WHERE subject = 'auth.user.reactivated'`,
    );
    expect(events[0]!.n).to.equal(0);

    await reactivateUser(db.orm.em.fork(), admin, { userId }, client);
    const again = await em.execute<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM security_audit_logs WHERE user_id = ? AND action = 'user_reactivated'`,
      [userId],
    );
    expect(again[0]!.n).to.equal(1);
  });
});
