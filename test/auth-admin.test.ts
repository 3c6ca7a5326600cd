import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { ActivityFilter, AuthServiceClient, type ListUsersRequest } from '../gen/ecommerce/auth/v1/auth.js';
import { AuthEventTap } from './support/auth-events.js';
import { failureOf, plainClient } from './support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';

const PASSWORD = 'correct-horse-42';

function listRequest(overrides: Partial<ListUsersRequest> = {}): ListUsersRequest {
  return {
    page: undefined,
    emailContains: '',
    role: '',
    activity: ActivityFilter.ACTIVITY_FILTER_UNSPECIFIED,
    ...overrides,
  };
}

/** Admin RPCs: accounts, roles, (de)activation and the audit log, with who may call them. */
describe('auth administration over gRPC', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let tap: AuthEventTap;
  let auth: ReturnType<typeof plainClient<typeof AuthServiceClient.service>>;
  let admin: { token: string; userId: string };
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  before(async () => {
    mesh = await startTestMesh(['auth']);
    tap = await AuthEventTap.start(mesh);
    auth = plainClient(AuthServiceClient, mesh.address('auth'));
    const session = await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    admin = { token: session.accessToken, userId: session.userId };
  });
  after(async () => {
    auth?.close();
    await mesh?.stop();
    await tap?.stop();
  });

  async function account(tag: string) {
    const email = `${tag}-${run}-${Math.random().toString(36).slice(2, 6)}@example.com`;
    const { userId } = await auth.register({ email, password: PASSWORD, firstName: 'A', lastName: 'B' });
    const token = async () => (await auth.login({ email, password: PASSWORD })).accessToken;
    return { email, userId, token };
  }

  it('every admin RPC refuses a customer (PERMISSION_DENIED naming the permission) and an anonymous caller', async () => {
    const customer = await (await account('cust')).token();
    const calls: [string, (token?: string) => Promise<unknown>][] = [
      ['user:read', (token) => auth.listUsers(listRequest(), { token })],
      ['user:read', (token) => auth.getUser({ userId: admin.userId }, { token })],
      ['role:read', (token) => auth.listRoles({}, { token })],
      ['role:assign', (token) => auth.assignRole({ userId: admin.userId, role: 'admin' }, { token })],
      ['role:assign', (token) => auth.removeRole({ userId: admin.userId, role: 'admin' }, { token })],
      ['user:manage', (token) => auth.deactivateUser({ userId: admin.userId, reason: '' }, { token })],
      ['user:manage', (token) => auth.reactivateUser({ userId: admin.userId }, { token })],
      [
        'audit:read',
        (token) =>
          auth.listAuditEvents(
            { userId: '', action: '', page: undefined, occurredAfter: undefined, occurredBefore: undefined },
            { token },
          ),
      ],
    ];
    for (const [permission, call] of calls) {
      const denied = await failureOf(call(customer));
      expect(denied.code, permission).to.equal(status.PERMISSION_DENIED);
      expect(denied.details).to.equal(`requires permission ${permission}`);
      expect((await failureOf(call(undefined))).code).to.equal(status.UNAUTHENTICATED);
    }
  });

  it('a support agent reads accounts and the audit log but cannot change anything', async () => {
    const agent = await account('support');
    await auth.assignRole({ userId: agent.userId, role: 'support' }, { token: admin.token });
    const token = await agent.token();
    expect((await auth.getUser({ userId: agent.userId }, { token })).user?.roles).to.deep.equal([
      'customer',
      'support',
    ]);
    await auth.listAuditEvents(
      {
        userId: agent.userId,
        action: '',
        page: undefined,
        occurredAfter: undefined,
        occurredBefore: undefined,
      },
      { token },
    );
    const denied = await failureOf(auth.deactivateUser({ userId: admin.userId, reason: '' }, { token }));
    expect(denied.code).to.equal(status.PERMISSION_DENIED);
  });

  describe('ListUsers and GetUser', () => {
    it('filters by email, role and activity and pages through with a keyset cursor, newest first', async () => {
      const made: Awaited<ReturnType<typeof account>>[] = [];
      for (let i = 0; i < 5; i++) made.push(await account(`page${i}`));
      await auth.assignRole({ userId: made[1]!.userId, role: 'catalog_manager' }, { token: admin.token });
      await auth.deactivateUser({ userId: made[3]!.userId, reason: 'test' }, { token: admin.token });

      const seen: string[] = [];
      let pageToken = '';
      let pages = 0;
      do {
        const { users, page } = await auth.listUsers(
          listRequest({ emailContains: `-${run}-`.toUpperCase(), page: { pageSize: 2, pageToken } }),
          {
            token: admin.token,
          },
        );
        seen.push(...users.filter((u) => u.email.startsWith('page')).map((u) => u.userId));
        pageToken = page!.nextPageToken;
        pages++;
      } while (pageToken);
      expect(seen).to.deep.equal(made.map((m) => m.userId).reverse());
      expect(pages).to.be.greaterThanOrEqual(3);

      const managers = await auth.listUsers(listRequest({ emailContains: run, role: 'catalog_manager' }), {
        token: admin.token,
      });
      expect(managers.users.map((u) => u.userId)).to.deep.equal([made[1]!.userId]);
      const inactive = await auth.listUsers(
        listRequest({ emailContains: run, activity: ActivityFilter.ACTIVITY_FILTER_INACTIVE }),
        { token: admin.token },
      );
      expect(inactive.users.map((u) => u.userId)).to.deep.equal([made[3]!.userId]);
      const active = await auth.listUsers(
        listRequest({ emailContains: 'page', activity: ActivityFilter.ACTIVITY_FILTER_ACTIVE }),
        {
          token: admin.token,
        },
      );
      expect(active.users.map((u) => u.userId)).not.to.include(made[3]!.userId);
      const user = active.users.find((u) => u.userId === made[0]!.userId)!;
      expect(user).to.include({
        email: made[0]!.email,
        emailVerified: false,
        isActive: true,
        failedLoginAttempts: 0,
      });
      expect(user.roles).to.deep.equal(['customer']);
    });

    it('answers INVALID_ARGUMENT for bad paging or a token made for other filters', async () => {
      const first = await auth.listUsers(listRequest({ page: { pageSize: 1, pageToken: '' } }), {
        token: admin.token,
      });
      const mismatched = await failureOf(
        auth.listUsers(
          listRequest({ role: 'admin', page: { pageSize: 1, pageToken: first.page!.nextPageToken } }),
          {
            token: admin.token,
          },
        ),
      );
      expect(mismatched.violations).to.deep.equal([
        {
          field: 'page.page_token',
          description: 'belongs to a listing with other filters or another sort order',
        },
      ]);
      const garbage = await failureOf(
        auth.listUsers(listRequest({ page: { pageSize: 1, pageToken: 'zzz' } }), { token: admin.token }),
      );
      expect(garbage.code).to.equal(status.INVALID_ARGUMENT);
      const negative = await failureOf(
        auth.listUsers(listRequest({ page: { pageSize: -1, pageToken: '' } }), { token: admin.token }),
      );
      expect(negative.violations).to.deep.equal([
        { field: 'page.page_size', description: 'must not be negative' },
      ]);
      const activity = await failureOf(
        auth.listUsers(listRequest({ activity: 9 as ActivityFilter }), { token: admin.token }),
      );
      expect(activity.violations).to.deep.equal([{ field: 'activity', description: 'is not a known value' }]);
    });

    it('GetUser: INVALID_ARGUMENT for a malformed id, NOT_FOUND for an unknown one', async () => {
      const bad = await failureOf(auth.getUser({ userId: 'abc' }, { token: admin.token }));
      expect(bad.violations).to.deep.equal([{ field: 'user_id', description: 'must be a UUID' }]);
      const unknown = await failureOf(
        auth.getUser({ userId: '01900000-0000-7000-8000-000000000000' }, { token: admin.token }),
      );
      expect(unknown.code).to.equal(status.NOT_FOUND);
    });
  });

  describe('roles', () => {
    it('ListRoles lists the built-in roles with their permissions', async () => {
      const { roles } = await auth.listRoles({}, { token: admin.token });
      expect(roles.map((r) => r.name)).to.deep.equal(['admin', 'catalog_manager', 'customer', 'support']);
      // What the auth RPCs ask of support staff (a role keeps the permissions it was first given).
      expect(roles.find((r) => r.name === 'support')!.permissions).to.include.members([
        'audit:read',
        'role:read',
        'user:read',
      ]);
    });

    it('AssignRole and RemoveRole are idempotent, audited with the admin, and reach the next token', async () => {
      const target = await account('roles');
      expect(
        await auth.assignRole({ userId: target.userId, role: 'catalog_manager' }, { token: admin.token }),
      ).to.deep.equal({
        roles: ['catalog_manager', 'customer'],
      });
      expect(
        await auth.assignRole({ userId: target.userId, role: 'catalog_manager' }, { token: admin.token }),
      ).to.deep.equal({
        roles: ['catalog_manager', 'customer'],
      });
      const claims = JSON.parse(Buffer.from((await target.token()).split('.')[1]!, 'base64url').toString());
      expect(claims.perms).to.include('product:write');
      expect(
        await auth.removeRole({ userId: target.userId, role: 'catalog_manager' }, { token: admin.token }),
      ).to.deep.equal({
        roles: ['customer'],
      });
      expect(
        await auth.removeRole({ userId: target.userId, role: 'catalog_manager' }, { token: admin.token }),
      ).to.deep.equal({
        roles: ['customer'],
      });
      const { events } = await auth.listAuditEvents(
        {
          userId: target.userId,
          action: '',
          page: undefined,
          occurredAfter: undefined,
          occurredBefore: undefined,
        },
        { token: admin.token },
      );
      const changes = events.filter((e) => e.action.startsWith('role_'));
      expect(changes.map((e) => e.action)).to.deep.equal(['role_removed', 'role_assigned']);
      expect(JSON.parse(changes[0]!.metadataJson)).to.deep.equal({
        role: 'catalog_manager',
        actor_id: admin.userId,
      });
    });

    it('answer NOT_FOUND for an unknown role or account and INVALID_ARGUMENT for missing fields', async () => {
      const target = await account('roles-bad');
      const role = await failureOf(
        auth.assignRole({ userId: target.userId, role: 'wizard' }, { token: admin.token }),
      );
      expect(role.code).to.equal(status.NOT_FOUND);
      expect(role.details).to.contain('wizard');
      const user = await failureOf(
        auth.assignRole(
          { userId: '01900000-0000-7000-8000-000000000000', role: 'admin' },
          { token: admin.token },
        ),
      );
      expect(user.code).to.equal(status.NOT_FOUND);
      const missing = await failureOf(
        auth.removeRole({ userId: target.userId, role: ' ' }, { token: admin.token }),
      );
      expect(missing.violations).to.deep.equal([{ field: 'role', description: 'is required' }]);
      const noUser = await failureOf(auth.removeRole({ userId: '', role: 'admin' }, { token: admin.token }));
      expect(noUser.violations).to.deep.equal([{ field: 'user_id', description: 'is required' }]);
    });

    it('never removes the admin role from the last active administrator', async () => {
      // The distributed run's auth_db outlives the run: make the bootstrap admin the only one.
      await demoteEveryAdminBut(admin.userId);
      const last = await failureOf(
        auth.removeRole({ userId: admin.userId, role: 'admin' }, { token: admin.token }),
      );
      expect(last.code).to.equal(status.FAILED_PRECONDITION);
      expect(last.details).to.equal('the last active administrator keeps the admin role');
      const deputy = await account('deputy');
      await auth.assignRole({ userId: deputy.userId, role: 'admin' }, { token: admin.token });
      // Two admins removing each other at once: at most one removal goes through.
      const deputyToken = await deputy.token();
      const outcomes = await Promise.allSettled([
        auth.removeRole({ userId: admin.userId, role: 'admin' }, { token: deputyToken }),
        auth.removeRole({ userId: deputy.userId, role: 'admin' }, { token: admin.token }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
      // Access tokens keep their roles until they expire, so the old admin token still lists.
      const admins = await auth.listUsers(listRequest({ role: 'admin' }), { token: admin.token });
      expect(admins.users).to.have.length(1);
      // Put things back for the other tests: the bootstrap admin stays an admin.
      const remaining = admins.users[0]!.userId;
      if (remaining !== admin.userId) {
        await auth.assignRole({ userId: admin.userId, role: 'admin' }, { token: deputyToken });
        admin.token = (await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
      }
      await demoteEveryAdminBut(admin.userId);
    });

    async function demoteEveryAdminBut(keep: string) {
      const { users } = await auth.listUsers(
        listRequest({ role: 'admin', page: { pageSize: 100, pageToken: '' } }),
        {
          token: admin.token,
        },
      );
      for (const other of users.filter((user) => user.userId !== keep)) {
        await auth.removeRole({ userId: other.userId, role: 'admin' }, { token: admin.token });
      }
    }
  });

  describe('DeactivateUser and ReactivateUser', () => {
    it('deactivation revokes every session and publishes once; reactivation lets the account in again', async () => {
      const target = await account('deact');
      const session = await auth.login({ email: target.email, password: PASSWORD });
      const { user } = await auth.deactivateUser(
        { userId: target.userId, reason: 'chargebacks' },
        { token: admin.token },
      );
      expect(user).to.include({ userId: target.userId, isActive: false });
      const event = await tap.next('auth.user.deactivated', (m) => m.userId === target.userId);
      expect(event).to.include({ deactivatedBy: admin.userId, reason: 'chargebacks' });
      expect((await failureOf(auth.refresh({ refreshToken: session.refreshToken }))).code).to.equal(
        status.UNAUTHENTICATED,
      );

      await auth.deactivateUser({ userId: target.userId, reason: 'again' }, { token: admin.token });
      const { user: back } = await auth.reactivateUser({ userId: target.userId }, { token: admin.token });
      expect(back).to.include({ isActive: true, failedLoginAttempts: 0 });
      await tap.next(
        'auth.user.reactivated',
        (m) => m.userId === target.userId && m.reactivatedBy === admin.userId,
      );
      await auth.reactivateUser({ userId: target.userId }, { token: admin.token });
      expect(tap.all('auth.user.deactivated', (m) => m.userId === target.userId)).to.have.length(1);
      expect(tap.all('auth.user.reactivated', (m) => m.userId === target.userId)).to.have.length(1);
      await auth.login({ email: target.email, password: PASSWORD });

      const { events } = await auth.listAuditEvents(
        {
          userId: target.userId,
          action: 'user_deactivated',
          page: undefined,
          occurredAfter: undefined,
          occurredBefore: undefined,
        },
        { token: admin.token },
      );
      expect(events).to.have.length(1);
      expect(JSON.parse(events[0]!.metadataJson)).to.deep.equal({
        actor_id: admin.userId,
        reason: 'chargebacks',
        sessions_revoked: 1,
      });
    });

    it('refuses deactivating oneself, a long reason, a malformed or unknown id', async () => {
      const self = await failureOf(
        auth.deactivateUser({ userId: admin.userId, reason: '' }, { token: admin.token }),
      );
      expect(self.code).to.equal(status.FAILED_PRECONDITION);
      const target = await account('deact-bad');
      const long = await failureOf(
        auth.deactivateUser({ userId: target.userId, reason: 'x'.repeat(501) }, { token: admin.token }),
      );
      expect(long.violations).to.deep.equal([
        { field: 'reason', description: 'must be at most 500 characters' },
      ]);
      expect((await auth.getUser({ userId: target.userId }, { token: admin.token })).user?.isActive).to.equal(
        true,
      );
      const bad = await failureOf(auth.reactivateUser({ userId: 'nope' }, { token: admin.token }));
      expect(bad.violations).to.deep.equal([{ field: 'user_id', description: 'must be a UUID' }]);
      const unknown = await failureOf(
        auth.deactivateUser(
          { userId: '01900000-0000-7000-8000-000000000000', reason: '' },
          { token: admin.token },
        ),
      );
      expect(unknown.code).to.equal(status.NOT_FOUND);
    });
  });

  describe('ListAuditEvents', () => {
    it('filters by user, action and time, pages newest first, and records ip and agent', async () => {
      const target = await account('audit');
      const before = new Date();
      for (let i = 0; i < 3; i++)
        await failureOf(auth.login({ email: target.email, password: `wrong-pass-${i}` }));
      await auth.login({ email: target.email, password: PASSWORD });
      const request = {
        userId: target.userId,
        action: '',
        occurredAfter: undefined,
        occurredBefore: undefined,
      };
      const seen: string[] = [];
      let pageToken = '';
      do {
        const { events, page } = await auth.listAuditEvents(
          { ...request, page: { pageSize: 2, pageToken } },
          { token: admin.token },
        );
        seen.push(...events.map((e) => e.action));
        pageToken = page!.nextPageToken;
      } while (pageToken);
      expect(seen).to.deep.equal([
        'login_succeeded',
        'login_failed',
        'login_failed',
        'login_failed',
        'email_verification_sent',
        'register',
      ]);
      const recent = await auth.listAuditEvents(
        {
          ...request,
          action: 'login_failed',
          occurredAfter: before,
          occurredBefore: new Date(Date.now() + 1000),
          page: undefined,
        },
        { token: admin.token },
      );
      expect(recent.events).to.have.length(3);
      expect(recent.events[0]).to.include({ ipAddress: '127.0.0.1', email: target.email });
      expect(recent.events[0]!.userAgent).to.match(/^grpc-node-js/);
      const none = await auth.listAuditEvents(
        { ...request, occurredBefore: before, page: undefined },
        { token: admin.token },
      );
      expect(none.events.map((e) => e.action)).to.deep.equal(['email_verification_sent', 'register']);
    });

    it('answers INVALID_ARGUMENT for an unknown action, a bad user id, an empty time range', async () => {
      const base = {
        userId: '',
        action: '',
        occurredAfter: undefined,
        occurredBefore: undefined,
        page: undefined,
      };
      const action = await failureOf(
        auth.listAuditEvents({ ...base, action: 'hacked' }, { token: admin.token }),
      );
      expect(action.violations[0]?.field).to.equal('action');
      const user = await failureOf(auth.listAuditEvents({ ...base, userId: 'x' }, { token: admin.token }));
      expect(user.violations).to.deep.equal([{ field: 'user_id', description: 'must be a UUID' }]);
      const now = new Date();
      const range = await failureOf(
        auth.listAuditEvents({ ...base, occurredAfter: now, occurredBefore: now }, { token: admin.token }),
      );
      expect(range.violations).to.deep.equal([
        { field: 'occurred_before', description: 'must be after occurred_after' },
      ]);
    });
  });
});
