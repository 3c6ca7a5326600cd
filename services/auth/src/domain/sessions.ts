import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../../../../lib/auth/principal.js';
import type { TokenSigner } from '../../../../lib/auth/token-signer.js';
import { newId } from '../../../../lib/ids.js';
import type { ClientInfo } from './client-info.js';
import { newOpaqueToken } from './opaque-token.js';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;

/** What Login and Refresh answer. */
export interface Session {
  userId: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

/** The roles of a user and the permissions those roles grant, as the access token carries them. */
export async function principalFor(
  em: EntityManager,
  user: { id: string; email: string },
  sessionId: string,
): Promise<Principal> {
  const rows = await em.execute<{ name: string; permissions: string[] }[]>(
    `SELECT r.name, r.permissions FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ?`,
    [user.id],
  );
  const roles = rows.map((row) => row.name).sort();
  const permissions = [...new Set(rows.flatMap((row) => row.permissions))].sort();
  return { userId: user.id, email: user.email, roles, permissions, sessionId };
}

/** Stores a refresh token (its hash only) in a family, inside the caller's transaction. */
export async function insertRefreshToken(
  tx: EntityManager,
  row: { id: string; userId: string; familyId: string; expiresAt: Date; hash: string },
  client: ClientInfo,
): Promise<void> {
  await tx.execute(
    `INSERT INTO refresh_tokens (id, user_id, token_hash, family_id, expires_at, ip, user_agent, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, now())`,
    [row.id, row.userId, row.hash, row.familyId, row.expiresAt, client.ip ?? null, client.userAgent ?? null],
  );
}

/** Opens a new session (refresh-token family) in the caller's transaction; signs after it commits. */
export async function startSession(
  tx: EntityManager,
  user: { id: string },
  client: ClientInfo,
): Promise<{ familyId: string; refreshToken: string; refreshTokenExpiresAt: Date }> {
  const refresh = newOpaqueToken();
  const familyId = newId();
  const refreshTokenExpiresAt = new Date(Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000);
  await insertRefreshToken(
    tx,
    { id: newId(), userId: user.id, familyId, expiresAt: refreshTokenExpiresAt, hash: refresh.hash },
    client,
  );
  return { familyId, refreshToken: refresh.token, refreshTokenExpiresAt };
}

/** The access token of a session, with the user's current roles. */
export async function accessTokenFor(
  em: EntityManager,
  signer: TokenSigner,
  user: { id: string; email: string },
  sessionId: string,
): Promise<{ accessToken: string; accessTokenExpiresAt: Date }> {
  const principal = await principalFor(em, user, sessionId);
  const accessTokenExpiresAt = new Date((Math.floor(Date.now() / 1000) + ACCESS_TOKEN_TTL_SECONDS) * 1000);
  return { accessToken: await signer.sign(principal, ACCESS_TOKEN_TTL_SECONDS), accessTokenExpiresAt };
}

export type RevocationReason =
  'logout' | 'logout_all' | 'password_changed' | 'password_reset' | 'deactivated' | 'token_reuse';

/**
 * Revokes every live refresh token of a user (but those of `exceptFamily`), in the caller's
 * transaction. Returns how many sessions that ended: a family has one live token at a time.
 */
export async function revokeSessions(
  tx: EntityManager,
  userId: string,
  reason: RevocationReason,
  exceptFamily?: string,
): Promise<number> {
  const [row] = await tx.execute<{ n: number }[]>(
    `WITH revoked AS (
       UPDATE refresh_tokens SET revoked = true, revoked_at = now(), revoked_reason = ?
        WHERE user_id = ? AND NOT revoked AND family_id IS DISTINCT FROM ?
       RETURNING expires_at)
     SELECT count(*) FILTER (WHERE expires_at > now())::int AS n FROM revoked`,
    [reason, userId, exceptFamily ?? null],
  );
  return row?.n ?? 0;
}

/** Revokes every live token of one family (one session). Returns how many tokens that touched. */
export async function revokeFamily(
  tx: EntityManager,
  familyId: string,
  reason: RevocationReason,
): Promise<number> {
  const [row] = await tx.execute<{ n: number }[]>(
    `WITH revoked AS (
       UPDATE refresh_tokens SET revoked = true, revoked_at = now(), revoked_reason = ?
        WHERE family_id = ? AND NOT revoked RETURNING 1)
     SELECT count(*)::int AS n FROM revoked`,
    [reason, familyId],
  );
  return row?.n ?? 0;
}
