import type { JWK } from 'jose';
import { AuthServiceClient } from '../../gen/ecommerce/auth/v1/auth.js';
import type { Env } from '../config/index.js';
import type { PromiseClient } from '../grpc/client.js';
import { createServiceClient } from '../grpc/service-client.js';
import { JwksTokenVerifier, type TokenVerifier } from './token-verifier.js';

/**
 * The verifier every service but auth uses: tokens are checked locally against the key set the
 * auth service publishes through `GetJwks`, fetched on first use and again only when a token names
 * a key we have not seen (a rotation). No call to the auth service per request. `close()` closes
 * its client of the auth service (the host does, when the process stops).
 */
export function createAuthServiceVerifier(env: Env = process.env): TokenVerifier & { close(): void } {
  let client: PromiseClient<typeof AuthServiceClient.service> | undefined;
  const verifier = new JwksTokenVerifier(async () => {
    client ??= createServiceClient(AuthServiceClient, 'auth', env);
    const { keys } = await client.getJwks({}, { authorization: '' });
    return keys.map((key) => ({ ...key }) as JWK);
  });
  return Object.assign(verifier, {
    close: () => {
      client?.close();
      client = undefined;
    },
  });
}
