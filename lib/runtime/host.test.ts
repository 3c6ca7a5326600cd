import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadServiceConfig } from '../config/index.js';
import { InProcessTransport } from '../events/index.js';
import { defineEntity, p } from '@mikro-orm/core';
import type { DatabaseDefinition } from '../db/index.js';
import { freePort } from '../testing/free-port.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { startService } from './host.js';
import type { ServiceModule } from './service-module.js';

const Widget = defineEntity({
  name: 'Widget',
  tableName: 'widgets',
  properties: { id: p.uuid().primary() },
});
const database: DatabaseDefinition = { name: 'host_test_db', entities: [Widget], migrations: [] };

describe('lib/runtime/host: what a module hands to runtime.dispose', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'host-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  async function start(module: ServiceModule): Promise<Error | undefined> {
    const env = { DATA_DIR: dataDir, CART_GRPC_PORT: String(await freePort()) };
    const events = new InProcessTransport({ logger: quietLogger() });
    const verifier = { verify: () => Promise.reject(new Error('not in this test')) };
    try {
      const service = await startService(module, {
        config: loadServiceConfig('cart', env),
        env,
        events,
        verifier,
      });
      await service.stop();
      return undefined;
    } catch (error) {
      return error as Error;
    } finally {
      await events.close();
    }
  }

  it('is stopped in reverse when create fails after handing it over', async () => {
    const stopped: string[] = [];
    const error = await start({
      name: 'cart',
      database,
      async create(runtime) {
        runtime.dispose('first consumer', () => void stopped.push('first consumer'));
        runtime.dispose('second consumer', async () => void stopped.push('second consumer'));
        throw new Error('the third consumer could not start');
      },
    });
    expect(error?.message).to.equal('the third consumer could not start');
    expect(stopped).to.deep.equal(['second consumer', 'first consumer']);
  });

  it('is stopped with the service', async () => {
    const stopped: string[] = [];
    const error = await start({
      name: 'cart',
      database,
      async create(runtime) {
        runtime.dispose('consumer', () => void stopped.push('consumer'));
        return { grpc: [] };
      },
    });
    expect(error).to.equal(undefined);
    expect(stopped).to.deep.equal(['consumer']);
  });
});
