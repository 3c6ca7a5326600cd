import { status } from '@grpc/grpc-js';
import { AuthServiceClient } from '../../../../gen/ecommerce/auth/v1/auth.js';
import type { ServiceTokenProvider } from '../../../../lib/auth/service-token-source.js';
import type { Env } from '../../../../lib/config/index.js';
import { isAppError } from '../../../../lib/errors.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import type { RecipientDirectory } from '../domain/delivery/delivery-ports.js';

/**
 * Customers' addresses as the auth service keeps them (`GetUser`, internal: this service's own
 * token), through the breaker-guarded client: an auth service that is down fails the attempt (the
 * sender tries again later), at once while the breaker is open. GetUser is NO_SIDE_EFFECTS, so the
 * client retries transient failures. An unknown account is null.
 */
export function authServiceDirectory(
  env: Env,
  serviceToken: ServiceTokenProvider,
): RecipientDirectory & { close(): void } {
  const client = createServiceClient(AuthServiceClient, 'auth', env, { serviceToken });
  return {
    async emailOf(userId) {
      try {
        const { user } = await client.getUser({ userId });
        if (!user) throw new Error(`auth service answered GetUser(${userId}) without a user`);
        return user.email;
      } catch (error) {
        if (isAppError(error) && error.code === status.NOT_FOUND) return null;
        throw error;
      }
    },
    close: () => client.close(),
  };
}
