import type { JWTPayload } from 'jose';
import type { Principal } from './principal.js';

/** Access tokens are issued by the auth service for every service of the platform. */
export const TOKEN_ISSUER = 'ecommerce-auth';
export const TOKEN_AUDIENCE = 'ecommerce';
/** Ed25519 signatures; `EdDSA` is what tokens carry, `Ed25519` is its fully-specified name. */
export const TOKEN_ALGORITHMS = ['EdDSA', 'Ed25519'];

/** The claims an access token carries besides the registered ones (`sub` is the user id). */
export interface AccessClaims {
  email: string;
  roles: string[];
  perms: string[];
  /** The session (refresh-token family) id, when the token belongs to a login session. */
  sid?: string;
}

export function claimsOf(principal: Principal): AccessClaims {
  const claims: AccessClaims = {
    email: principal.email,
    roles: [...principal.roles],
    perms: [...principal.permissions],
  };
  if (principal.sessionId) claims.sid = principal.sessionId;
  return claims;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** The principal a verified payload names, or undefined when its claims are not well formed. */
export function principalOf(payload: JWTPayload): Principal | undefined {
  const { sub, email, roles, perms, sid } = payload;
  if (typeof sub !== 'string' || sub === '' || typeof email !== 'string') return undefined;
  if (!isStringArray(roles) || !isStringArray(perms)) return undefined;
  if (sid !== undefined && typeof sid !== 'string') return undefined;
  const principal: Principal = { userId: sub, email, roles, permissions: perms };
  if (sid) principal.sessionId = sid;
  return principal;
}
