import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../config/env.js';
import { quiet } from '../grpc/test/harness.js';
import {
  DEV_SERVICE_MASTER_FILE,
  loadServiceClientSecret,
  loadServiceMasterSecret,
  serviceClientSecret,
} from './service-secret.js';

describe('service secrets configuration', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'service-secret-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
  const dev = () => ({ production: false, dataDir });
  const prod = () => ({ production: true, dataDir });
  const master = 'a-master-secret-of-at-least-32-chars!';

  it('production: AUTH_SERVICE_MASTER_SECRET and SERVICE_CLIENT_SECRET are required, and named', async () => {
    const masterError = await loadServiceMasterSecret(prod(), {}, quiet).catch((e: unknown) => e);
    expect(masterError).to.be.instanceOf(ConfigError);
    expect((masterError as Error).message).to.contain('AUTH_SERVICE_MASTER_SECRET');
    const clientError = await loadServiceClientSecret('order', prod(), {}, quiet).catch((e: unknown) => e);
    expect(clientError).to.be.instanceOf(ConfigError);
    expect((clientError as Error).message).to.contain('SERVICE_CLIENT_SECRET');
  });

  it('refuses a short master secret', async () => {
    const error = await loadServiceMasterSecret(dev(), { AUTH_SERVICE_MASTER_SECRET: 'short' }, quiet).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).to.contain('at least 32 characters');
  });

  it('a service reads its own setting first, then SERVICE_CLIENT_SECRET, then derives from the master', async () => {
    const env = {
      ORDER_SERVICE_CLIENT_SECRET: 'own',
      SERVICE_CLIENT_SECRET: 'shared',
      AUTH_SERVICE_MASTER_SECRET: master,
    };
    expect(await loadServiceClientSecret('order', prod(), env, quiet)).to.equal('own');
    expect(await loadServiceClientSecret('user', prod(), env, quiet)).to.equal('shared');
    expect(
      await loadServiceClientSecret('user', prod(), { AUTH_SERVICE_MASTER_SECRET: master }, quiet),
    ).to.equal(serviceClientSecret(master, 'user'));
  });

  it('development: one master generated into DATA_DIR (0600), and every service derives from it', async () => {
    const authMaster = await loadServiceMasterSecret(dev(), {}, quiet);
    expect(statSync(join(dataDir, DEV_SERVICE_MASTER_FILE)).mode & 0o777).to.equal(0o600);
    expect(await loadServiceMasterSecret(dev(), {}, quiet)).to.equal(authMaster);
    expect(await loadServiceClientSecret('cart', dev(), {}, quiet)).to.equal(
      serviceClientSecret(authMaster, 'cart'),
    );
  });

  it('two processes starting at once end up with one development master', async () => {
    const [a, b] = await Promise.all([
      loadServiceMasterSecret(dev(), {}, quiet),
      loadServiceClientSecret('order', dev(), {}, quiet),
    ]);
    expect(b).to.equal(serviceClientSecret(a, 'order'));
  });
});
