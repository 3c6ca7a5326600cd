import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { AuthServiceClient } from '../gen/ecommerce/auth/v1/auth.js';
import { allow } from '../lib/auth/access-rule.js';
import { createAuthServiceVerifier } from '../lib/auth/auth-service-verifier.js';
import { createAuthServiceTokenSource } from '../lib/auth/auth-service-token-source.js';
import { loadServiceClientSecret } from '../lib/auth/service-secret.js';
import type { Principal } from '../lib/auth/principal.js';
import {
  createClient,
  implementService,
  startGrpcServer,
  type RunningGrpcServer,
} from '../lib/grpc/index.js';
import { bearer, quiet, rawCall } from '../lib/grpc/test/harness.js';
import { ECHO_SERVICE_NAME, EchoServiceClient, EchoServiceService } from '../lib/grpc/test/echo-service.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { failureOf, plainClient } from './support/clients.js';

const PASSWORD = 'correct-horse-42';

/**
 * Service-to-service tokens over real gRPC: a service gets its token from the auth service
 * (IssueServiceToken with its client secret) and calls another service's `allow.internal()` RPC;
 * that service verifies the token locally against auth's published keys, like any access token.
 */
describe('service tokens: a platform service calls an internal RPC of another', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let auth: ReturnType<typeof plainClient<typeof AuthServiceClient.service>>;
  let internalServer: RunningGrpcServer;
  let env: NodeJS.ProcessEnv;
  const seen: Principal[] = [];

  before(async () => {
    mesh = await startTestMesh(['auth']);
    auth = plainClient(AuthServiceClient, mesh.address('auth'));
    env = { ...process.env, AUTH_GRPC_ADDR: mesh.address('auth'), DATA_DIR: mesh.dataDir };
    // A stand-in for a service with an internal RPC (Write), verifying tokens through JWKS.
    const implementation = implementService(
      EchoServiceService,
      {
        echo: { access: allow.public(), handle: async (request) => request },
        lookup: { access: allow.authenticated(), handle: async (request) => request },
        write: {
          access: allow.internal(),
          handle: async (request, ctx) => {
            seen.push(ctx.principal!);
            return request;
          },
        },
      },
      { verifier: createAuthServiceVerifier(env), logger: quiet },
    );
    internalServer = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      services: [{ name: ECHO_SERVICE_NAME, definition: EchoServiceService, implementation }],
      logger: quiet,
      descriptorSet: null,
    });
  });
  after(async () => {
    auth?.close();
    await internalServer?.shutdown(100);
    await mesh?.stop();
  });

  function internalClient(serviceToken?: { token(): Promise<string> }) {
    return createClient(EchoServiceClient, {
      target: 'internal-echo',
      address: `127.0.0.1:${internalServer.port}`,
      serviceToken,
      logger: quiet,
    });
  }

  it('a service token (runtime.serviceTokens) opens the internal RPC; the callee sees service:<name>', async () => {
    const source = createAuthServiceTokenSource(
      'order',
      { production: false, dataDir: mesh.dataDir },
      env,
      quiet,
    );
    const client = internalClient(source);
    try {
      expect(await client.write({ text: 'reserve' })).to.deep.equal({ text: 'reserve' });
      expect(await client.write({ text: 'again' })).to.deep.equal({ text: 'again' });
    } finally {
      client.close();
    }
    expect(seen.at(-1)).to.deep.include({ userId: 'service:order', roles: ['service'], permissions: [] });
    expect(seen.at(-1)?.sessionId).to.equal(undefined);
  });

  it('a customer token gets PERMISSION_DENIED from the internal RPC, and no token UNAUTHENTICATED', async () => {
    const email = `svc-${Date.now().toString(36)}@example.com`;
    await auth.register({ email, password: PASSWORD, firstName: 'C', lastName: 'D' });
    const { accessToken } = await auth.login({ email, password: PASSWORD });
    const address = `127.0.0.1:${internalServer.port}`;
    const denied = await rawCall(address, 'write', { text: 'x' }, bearer(accessToken));
    expect('error' in denied && denied.error.code).to.equal(status.PERMISSION_DENIED);
    expect('error' in denied && denied.error.details).to.contain('only platform services may call this');
    const admin = (await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
    const adminDenied = await rawCall(address, 'write', { text: 'x' }, bearer(admin));
    expect('error' in adminDenied && adminDenied.error.code).to.equal(status.PERMISSION_DENIED);
    const missing = await rawCall(address, 'write', { text: 'x' });
    expect('error' in missing && missing.error.code).to.equal(status.UNAUTHENTICATED);
  });

  it('IssueServiceToken: a wrong secret is UNAUTHENTICATED and audited; bad input is INVALID_ARGUMENT', async () => {
    // Only this test's audit entries: the distributed run's auth_db outlives the run.
    const startedAt = new Date(Date.now() - 1_000);
    const rightForUser = await loadServiceClientSecret(
      'user',
      { production: false, dataDir: mesh.dataDir },
      env,
    );
    const wrong = await failureOf(
      auth.issueServiceToken({ serviceName: 'order', clientSecret: rightForUser }),
    );
    expect(wrong.code).to.equal(status.UNAUTHENTICATED);
    expect(wrong.details).to.equal('invalid service credentials');

    const unknown = await failureOf(auth.issueServiceToken({ serviceName: 'mallory', clientSecret: 'x' }));
    expect(unknown.code).to.equal(status.INVALID_ARGUMENT);
    expect(unknown.violations).to.deep.equal([
      { field: 'service_name', description: 'must name a platform service' },
    ]);
    const noName = await failureOf(auth.issueServiceToken({ serviceName: '', clientSecret: 'x' }));
    expect(noName.violations).to.deep.equal([{ field: 'service_name', description: 'is required' }]);
    const noSecret = await failureOf(auth.issueServiceToken({ serviceName: 'order', clientSecret: '' }));
    expect(noSecret.violations).to.deep.equal([{ field: 'client_secret', description: 'is required' }]);

    const { accessToken, expiresAt } = await auth.issueServiceToken({
      serviceName: 'user',
      clientSecret: rightForUser,
    });
    expect(accessToken.split('.')).to.have.length(3);
    const ttl = expiresAt!.getTime() - Date.now();
    expect(ttl).to.be.within(290_000, 300_000);

    const admin = (await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
    const { events } = await auth.listAuditEvents(
      {
        action: 'service_token_denied',
        userId: '',
        page: undefined,
        occurredAfter: startedAt,
        occurredBefore: undefined,
      },
      { token: admin },
    );
    expect(events).to.have.length(1);
    expect(JSON.parse(events[0]!.metadataJson)).to.deep.equal({ service: 'order' });
    expect(events[0]!.ipAddress).to.equal('127.0.0.1');
  });

  it('a service token cannot call what needs a permission or a session', async () => {
    const source = createAuthServiceTokenSource(
      'cart',
      { production: false, dataDir: mesh.dataDir },
      env,
      quiet,
    );
    const token = await source.token();
    const listUsers = await failureOf(
      auth.listUsers({ page: undefined, emailContains: '', role: '', activity: 0 }, { token }),
    );
    expect(listUsers.code).to.equal(status.PERMISSION_DENIED);
    // A service is no account: the access rule refuses it (it used to reach the handler).
    const logout = await failureOf(auth.logout({}, { token }));
    expect(logout.code).to.equal(status.PERMISSION_DENIED);
  });

  it('a service token reads one account with GetUser (the notification service finds addresses so)', async () => {
    const source = createAuthServiceTokenSource(
      'notification',
      { production: false, dataDir: mesh.dataDir },
      env,
      quiet,
    );
    const token = await source.token();
    const email = `getuser-${Date.now()}@example.com`;
    const { userId } = await auth.register({
      email,
      password: 'correct-horse-battery-9',
      firstName: 'G',
      lastName: 'U',
    });
    const { user } = await auth.getUser({ userId }, { token });
    expect(user).to.include({ userId, email });
    const customer = await auth.login({ email, password: 'correct-horse-battery-9' });
    const refused = await failureOf(auth.getUser({ userId }, { token: customer.accessToken }));
    expect(refused.code).to.equal(status.PERMISSION_DENIED);
  });

  // Last: its wrong secret adds a service_token_denied audit entry the test above counts.
  it('a service that calls an internal RPC wrongly sees INTERNAL, never a verdict on its caller’s token', async () => {
    const email = `svc-${Date.now().toString(36)}b@example.com`;
    await auth.register({ email, password: PASSWORD, firstName: 'C', lastName: 'D' });
    const { accessToken } = await auth.login({ email, password: PASSWORD });
    // Relaying a customer's token where a service token is needed, or sending none: our bug.
    const relaying = internalClient({ token: async () => accessToken });
    const anonymous = internalClient();
    // A wrong client secret: IssueServiceToken answers UNAUTHENTICATED to the token source.
    const misconfigured = internalClient(
      createAuthServiceTokenSource(
        'order',
        { production: false, dataDir: mesh.dataDir },
        { ...env, ORDER_SERVICE_CLIENT_SECRET: 'not-the-secret' },
        quiet,
      ),
    );
    try {
      for (const client of [relaying, anonymous, misconfigured]) {
        const failure = await failureOf(client.write({ text: 'x' }));
        expect(failure.code).to.equal(status.INTERNAL);
      }
    } finally {
      relaying.close();
      anonymous.close();
      misconfigured.close();
    }
  });
});
