import type { EntityManager } from '@mikro-orm/postgresql';
import { SERVICE_ROLE } from '../../../../lib/auth/principal.js';
import { secretsMatch, serviceClientSecret } from '../../../../lib/auth/service-secret.js';
import type { TokenSigner } from '../../../../lib/auth/token-signer.js';
import { isServiceName } from '../../../../lib/config/index.js';
import { invalidArgument, unauthenticated } from '../../../../lib/errors.js';
import { recordSecurityEvent } from './audit.js';
import type { ClientInfo } from './client-info.js';

export const SERVICE_TOKEN_TTL_SECONDS = 5 * 60;

/**
 * A short-lived access token for a platform service: `sub` "service:<name>", role `service` only,
 * so it opens `allow.internal()` RPCs and nothing else. The presented secret must equal
 * HMAC(master, name), compared in constant time; a wrong one is audited.
 */
export async function issueServiceToken(
  em: EntityManager,
  signer: TokenSigner,
  masterSecret: string,
  input: { serviceName: string; clientSecret: string },
  client: ClientInfo,
): Promise<{ accessToken: string; expiresAt: Date }> {
  const name = input.serviceName.trim();
  if (name === '') throw invalidArgument('service_name', 'is required');
  if (!isServiceName(name)) throw invalidArgument('service_name', 'must name a platform service');
  if (input.clientSecret === '') throw invalidArgument('client_secret', 'is required');
  if (!secretsMatch(input.clientSecret, serviceClientSecret(masterSecret, name))) {
    await em.transactional(async (tx) =>
      recordSecurityEvent(tx, { action: 'service_token_denied', client, metadata: { service: name } }),
    );
    throw unauthenticated('invalid service credentials');
  }
  // The signer sets exp from its own clock reading, taken after this one: never earlier than this.
  const expiresAt = new Date((Math.floor(Date.now() / 1000) + SERVICE_TOKEN_TTL_SECONDS) * 1000);
  const accessToken = await signer.sign(
    { userId: `service:${name}`, email: `${name}@services.internal`, roles: [SERVICE_ROLE], permissions: [] },
    SERVICE_TOKEN_TTL_SECONDS,
  );
  return { accessToken, expiresAt };
}
