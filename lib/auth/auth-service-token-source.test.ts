import { expect } from 'chai';
import { ConfigError } from '../config/env.js';
import { resetBreakers } from '../grpc/index.js';
import { freePort } from '../testing/free-port.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { createAuthServiceTokenSource } from './auth-service-token-source.js';

describe('createAuthServiceTokenSource', () => {
  after(() => resetBreakers());

  it('reads the client secret again after a failed read, so a secret provided later is found', async () => {
    // Nothing listens at this address: once the secret is found, the call itself fails there.
    const env: Record<string, string> = { AUTH_GRPC_ADDR: `127.0.0.1:${await freePort()}` };
    const source = createAuthServiceTokenSource(
      'cart',
      { production: true, dataDir: '.' },
      env,
      quietLogger(),
    );
    try {
      const missing = await source.token().catch((error: unknown) => error);
      expect(missing).to.be.instanceOf(ConfigError);
      expect((missing as ConfigError).setting).to.equal('SERVICE_CLIENT_SECRET');

      env.SERVICE_CLIENT_SECRET = 'a-secret-provided-later';
      const unreachable = await source.token().catch((error: unknown) => error);
      expect(unreachable).to.be.instanceOf(Error);
      expect(unreachable).not.to.be.instanceOf(ConfigError);
    } finally {
      source.close();
    }
  });
});
