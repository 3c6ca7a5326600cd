import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { ServiceName } from '../config/index.js';
import { freePort } from '../testing/free-port.js';
import { checkHealth } from './health-probe.js';
import { ProcessMesh, ServiceStartError, type ServiceCommand } from './process-mesh.js';

const STAND_IN = fileURLToPath(new URL('./fixtures/stand-in-service.ts', import.meta.url));
const NAMES: ServiceName[] = ['auth', 'product'];

/** A mesh of stand-in processes on ports chosen now; `refuse` names one that will not start. */
async function standInMesh(refuse?: ServiceName): Promise<ProcessMesh> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', METRICS_PORT: '0' };
  for (const name of NAMES) {
    const port = await freePort();
    env[`${name.toUpperCase()}_GRPC_PORT`] = String(port);
    env[`${name.toUpperCase()}_GRPC_ADDR`] = `127.0.0.1:${port}`;
  }
  const standIn: ServiceCommand = (name) => [
    '--import',
    'tsx',
    STAND_IN,
    name,
    ...(name === refuse ? ['--refuse'] : []),
  ];
  return new ProcessMesh(env, 'ignore', standIn);
}

describe('lib/runtime/process-mesh: one process per service', function () {
  this.timeout(120_000);

  it('stops every process it started when one service refuses, and says which and why', async () => {
    const mesh = await standInMesh('product');
    const error = await mesh.start(NAMES).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(ServiceStartError);
    expect((error as ServiceStartError).service).to.equal('product');
    expect((error as ServiceStartError).message).to.equal(
      'product refused to start: failed to start: product refuses this configuration on purpose',
    );
    expect(await checkHealth(mesh.address('auth'))).to.match(/^error (UNAVAILABLE|DEADLINE_EXCEEDED)/);
  });

  it('kills a service outright (SIGKILL) and starts it again', async () => {
    const mesh = await standInMesh();
    try {
      await mesh.start(NAMES);
      expect(await mesh.killService('product')).to.equal('SIGKILL');
      expect(await checkHealth(mesh.address('product'))).to.match(/^error (UNAVAILABLE|DEADLINE_EXCEEDED)/);
      expect(await checkHealth(mesh.address('auth'))).to.equal('SERVING');
      await mesh.restartService('product');
      expect(await checkHealth(mesh.address('product'))).to.equal('SERVING');
    } finally {
      await mesh.stop();
    }
  });
});
