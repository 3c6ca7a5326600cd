import { expect } from 'chai';
import { createAuthServiceTokenSource } from '../lib/auth/auth-service-token-source.js';
import { createAuthServiceVerifier } from '../lib/auth/auth-service-verifier.js';
import { TcpProxy } from '../lib/testing/tcp-proxy.js';
import { quietLogger } from '../lib/testing/quiet-logger.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { eventually, plainClient } from './support/clients.js';
import { AuthServiceClient } from '../gen/ecommerce/auth/v1/auth.js';

/** The auth clients a process keeps (token verifier, service-token source) let go of their connection on close(). */
describe('auth clients of a process: closed with it', function () {
  this.timeout(60_000);
  let mesh: TestMesh;
  let proxy: TcpProxy;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    mesh = await startTestMesh(['auth']);
    const [host, port] = mesh.address('auth').split(':');
    proxy = await TcpProxy.start({ host: host!, port: Number(port) });
    env = { ...process.env, AUTH_GRPC_ADDR: `127.0.0.1:${proxy.port}`, DATA_DIR: mesh.dataDir };
  });
  after(async () => {
    await proxy?.close();
    await mesh?.stop();
  });

  it('the token verifier closes its connection to auth', async () => {
    const auth = plainClient(AuthServiceClient, mesh.address('auth'));
    const { accessToken } = await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    auth.close();
    const verifier = createAuthServiceVerifier(env);
    await verifier.verify(accessToken);
    expect(proxy.openConnections).to.equal(1);
    verifier.close();
    await eventually(() => proxy.openConnections === 0, { what: 'the connection to close' });
  });

  it('the service-token source closes its connection to auth', async () => {
    const source = createAuthServiceTokenSource(
      'cart',
      { production: false, dataDir: mesh.dataDir },
      env,
      quietLogger(),
    );
    await source.token();
    expect(proxy.openConnections).to.equal(1);
    source.close();
    await eventually(() => proxy.openConnections === 0, { what: 'the connection to close' });
  });
});
