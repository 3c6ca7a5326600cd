import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_KEY_FILE, parseKeyRing, SERVICE_ROLE, TokenSigner } from '../../lib/auth/index.js';
import { newId } from '../../lib/ids.js';
import type { TestMesh } from './mesh.js';

/**
 * An access token for a platform service (role `service`), signed with the development key the
 * mesh's auth service generated, as an operator holding the signing key could. Tests use it to call
 * RPCs declared `allow.internal()` the way another service would.
 */
export async function internalToken(mesh: TestMesh, service = 'test-suite'): Promise<string> {
  const ring = await parseKeyRing(readFileSync(join(mesh.dataDir, DEV_KEY_FILE), 'utf8'));
  const signer = await TokenSigner.create(ring);
  return signer.sign(
    { userId: service, email: `${service}@services.internal`, roles: [SERVICE_ROLE], permissions: [] },
    300,
  );
}

/**
 * An account's access token (a customer by default; staff with `permissions`), signed with the
 * mesh's development key as the auth service would sign it after a login.
 */
export async function accountToken(
  mesh: TestMesh,
  account: { userId?: string; roles?: string[]; permissions?: string[] } = {},
): Promise<{ userId: string; token: string }> {
  const userId = account.userId ?? newId();
  const ring = await parseKeyRing(readFileSync(join(mesh.dataDir, DEV_KEY_FILE), 'utf8'));
  const signer = await TokenSigner.create(ring);
  const token = await signer.sign(
    {
      userId,
      email: `${userId}@example.com`,
      roles: account.roles ?? ['customer'],
      permissions: account.permissions ?? [],
    },
    600,
  );
  return { userId, token };
}
