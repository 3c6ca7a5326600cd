import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { decodeProtectedHeader, type JWK } from 'jose';
import { AuthServiceClient } from '../gen/ecommerce/auth/v1/auth.js';
import { createAuthServiceVerifier } from '../lib/auth/auth-service-verifier.js';
import { generateSigningKey } from '../lib/auth/key-ring.js';
import { dropDatabases } from '../lib/db/index.js';
import { AppError } from '../lib/errors.js';
import { resetBreakers } from '../lib/grpc/index.js';
import { startMesh, type Mesh } from '../lib/runtime/mesh.js';
import { authModule } from '../services/auth/src/module.js';
import { eventually, failureOf, plainClient } from './support/clients.js';
import { freePort } from '../lib/testing/free-port.js';

const PASSWORD = 'correct-horse-42';
const authClientAt = (address: string) => plainClient(AuthServiceClient, address);

/**
 * Key rotation end to end, across restarts of the auth service on one database: sessions and
 * access tokens from before a rotation keep working (the previous key still verifies, locally in
 * other services too), new tokens carry the new kid, and a retired key verifies nothing.
 */
describe('auth key rotation: nobody is logged out', function () {
  this.timeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'rotation-'));
  const scratch = `t${process.pid}_${Date.now().toString(36)}_rotation_auth_db`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    MIGRATE_ON_START: 'true',
    NATS_URL: '',
  };
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${scratch}`;
    env.AUTH_DATABASE_URL = url.toString();
  }
  let mesh: Mesh;
  let keyA: JWK;
  let keyB: JWK;
  let auth: ReturnType<typeof authClientAt>;

  async function restartWith(keys: JWK[]): Promise<void> {
    await mesh.stopService('auth');
    env.AUTH_JWT_PRIVATE_KEYS = JSON.stringify(keys);
    await mesh.startService('auth');
  }

  before(async () => {
    resetBreakers();
    [keyA, keyB] = [await generateSigningKey(), await generateSigningKey()];
    env.AUTH_JWT_PRIVATE_KEYS = JSON.stringify([keyA]);
    const port = await freePort();
    env.AUTH_GRPC_PORT = String(port);
    env.AUTH_GRPC_ADDR = `127.0.0.1:${port}`;
    auth = authClientAt(env.AUTH_GRPC_ADDR);
    mesh = await startMesh([authModule], env);
  });
  after(async () => {
    auth?.close();
    await mesh?.stop();
    if (process.env.DATABASE_URL) await dropDatabases(process.env.DATABASE_URL, [scratch]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rotates A → B and then retires A', async () => {
    const email = `rotation-${Date.now().toString(36)}@example.com`;
    await auth.register({ email, password: PASSWORD, firstName: 'R', lastName: 'T' });
    const before = await auth.login({ email, password: PASSWORD });
    expect(decodeProtectedHeader(before.accessToken).kid).to.equal(keyA.kid);
    // Another service verifying locally: it loads auth's keys once ({A}).
    const downstream = createAuthServiceVerifier(env);
    expect((await downstream.verify(before.accessToken)).userId).to.equal(before.userId);

    await restartWith([keyB, keyA]);
    const { keys } = await auth.getJwks({});
    expect(keys.map((k) => k.kid)).to.deep.equal([keyB.kid, keyA.kid]);
    // The old access token still works, at auth and downstream; the session refreshes.
    expect(await auth.logoutAll({}, { token: before.accessToken }).then(() => 'accepted')).to.equal(
      'accepted',
    );
    const session = await auth.login({ email, password: PASSWORD });
    expect(decodeProtectedHeader(session.accessToken).kid).to.equal(keyB.kid);
    const refreshed = await auth.refresh({ refreshToken: session.refreshToken });
    expect(decodeProtectedHeader(refreshed.accessToken).kid).to.equal(keyB.kid);
    // Downstream meets kid B for the first time: it refetches the key set (at most once per 5 s,
    // so right after its first fetch it may take that long), no restart needed.
    const principal = await eventually(() => downstream.verify(refreshed.accessToken), { timeoutMs: 10_000 });
    expect(principal.userId).to.equal(before.userId);
    expect((await downstream.verify(before.accessToken)).userId).to.equal(before.userId);

    // Once every A-signed token has expired (15 min), A leaves the ring and verifies nothing.
    await restartWith([keyB]);
    const retired = await failureOf(auth.logoutAll({}, { token: before.accessToken }));
    expect(retired.code).to.equal(status.UNAUTHENTICATED);
    expect(retired.details).to.equal('token signed with an unknown key');
    await auth.logoutAll({}, { token: refreshed.accessToken });
    const fresh = createAuthServiceVerifier(env);
    const error = await fresh.verify(before.accessToken).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AppError);
    expect((error as AppError).code).to.equal(status.UNAUTHENTICATED);
  });
});
