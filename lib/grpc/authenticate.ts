import type { AccessRule } from '../auth/access-rule.js';
import type { Principal } from '../auth/principal.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { unauthenticated } from '../errors.js';

/**
 * The principal an `authorization` header names. No header → undefined (the access rule decides
 * whether that is acceptable); a header that is present must carry a valid Bearer token, even on
 * a public RPC, so a client with a stale token learns it at once.
 */
export async function authenticate(
  authorization: string | undefined,
  verifier: TokenVerifier,
): Promise<Principal | undefined> {
  if (authorization === undefined || authorization.trim() === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw unauthenticated('authorization must be "Bearer <token>"');
  return verifier.verify(match[1]!);
}

/** Authentication then the method's access rule. */
export async function authorize(
  authorization: string | undefined,
  verifier: TokenVerifier,
  rule: AccessRule,
): Promise<Principal | undefined> {
  const principal = await authenticate(authorization, verifier);
  rule.check(principal);
  return principal;
}
