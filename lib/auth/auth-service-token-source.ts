import { AuthServiceClient } from '../../gen/ecommerce/auth/v1/auth.js';
import type { Env, ServiceName } from '../config/index.js';
import type { PromiseClient } from '../grpc/client.js';
import { createServiceClient } from '../grpc/service-client.js';
import type { Logger } from '../log.js';
import { loadServiceClientSecret } from './service-secret.js';
import { ServiceTokenSource } from './service-token-source.js';

/**
 * The token source every service gets as `runtime.serviceTokens`: IssueServiceToken on the auth
 * service through the breaker-guarded client, with this service's client secret (read on first
 * use, so a service that never calls an internal RPC needs no secret; a failed read is tried again
 * on the next call, so a secret provided later is found). `close()` closes its client of the auth
 * service.
 */
export function createAuthServiceTokenSource(
  service: ServiceName,
  config: { production: boolean; dataDir: string },
  env: Env,
  logger: Logger,
): ServiceTokenSource & { close(): void } {
  let client: PromiseClient<typeof AuthServiceClient.service> | undefined;
  let secret: Promise<string> | undefined;
  const source = new ServiceTokenSource(
    async () => {
      secret ??= loadServiceClientSecret(service, config, env, logger).catch((error: unknown) => {
        secret = undefined;
        throw error;
      });
      client ??= createServiceClient(AuthServiceClient, 'auth', env, { logger });
      const { accessToken, expiresAt } = await client.issueServiceToken(
        { serviceName: service, clientSecret: await secret },
        { authorization: '' },
      );
      if (!expiresAt) throw new Error('IssueServiceToken answered without expires_at');
      return { token: accessToken, expiresAt };
    },
    { logger },
  );
  return Object.assign(source, {
    close: () => {
      client?.close();
      client = undefined;
    },
  });
}
