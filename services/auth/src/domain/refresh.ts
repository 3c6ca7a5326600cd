import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenSigner } from '../../../../lib/auth/token-signer.js';
import { invalidArgument, unauthenticated } from '../../../../lib/errors.js';
import { newId } from '../../../../lib/ids.js';
import { recordSecurityEvent } from './audit.js';
import type { ClientInfo } from './client-info.js';
import { hashOpaqueToken, newOpaqueToken } from './opaque-token.js';
import { accessTokenFor, insertRefreshToken, revokeFamily, type Session } from './sessions.js';

interface TokenRow {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  revoked: boolean;
  replaced_by: string | null;
  email: string;
  is_active: boolean;
}

type Outcome =
  | { kind: 'rotated'; user: { id: string; email: string }; familyId: string; token: string; expiresAt: Date }
  | { kind: 'refused'; reason: string };

/**
 * Spends a refresh token for a new one in the same family (rotation). The token's row is locked
 * first, so of two refreshes with one token exactly one rotates it; the other, like any later
 * presentation of a spent token, is reuse: the whole family is revoked and audited, and that
 * commits even though the call fails.
 */
export async function refreshSession(
  em: EntityManager,
  signer: TokenSigner,
  input: { refreshToken: string },
  client: ClientInfo,
): Promise<Session> {
  if (input.refreshToken.trim() === '') throw invalidArgument('refresh_token', 'is required');
  const hash = hashOpaqueToken(input.refreshToken.trim());
  const outcome = await em.transactional(async (tx): Promise<Outcome> => {
    const [row] = await tx.execute<TokenRow[]>(
      `SELECT t.id, t.user_id, t.family_id, t.expires_at, t.revoked, t.replaced_by, u.email, u.is_active
         FROM refresh_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = ? FOR UPDATE OF t`,
      [hash],
    );
    if (!row) return { kind: 'refused', reason: 'refresh token is invalid' };
    if (row.replaced_by !== null) {
      const revoked = await revokeFamily(tx, row.family_id, 'token_reuse');
      recordSecurityEvent(tx, {
        action: 'token_reuse_detected',
        userId: row.user_id,
        email: row.email,
        client,
        metadata: { family_id: row.family_id, tokens_revoked: revoked },
      });
      return { kind: 'refused', reason: 'refresh token was already used; the session is revoked' };
    }
    if (row.revoked) return { kind: 'refused', reason: 'refresh token is revoked' };
    if (new Date(row.expires_at) <= new Date()) return { kind: 'refused', reason: 'refresh token expired' };
    if (!row.is_active) {
      await revokeFamily(tx, row.family_id, 'deactivated');
      return { kind: 'refused', reason: 'refresh token is revoked' };
    }
    const next = newOpaqueToken();
    const nextId = newId();
    const expiresAt = new Date(row.expires_at);
    await insertRefreshToken(
      tx,
      { id: nextId, userId: row.user_id, familyId: row.family_id, expiresAt, hash: next.hash },
      client,
    );
    await tx.execute(
      `UPDATE refresh_tokens SET revoked = true, revoked_at = now(), revoked_reason = 'rotated', replaced_by = ?
        WHERE id = ?`,
      [nextId, row.id],
    );
    return {
      kind: 'rotated',
      user: { id: row.user_id, email: row.email },
      familyId: row.family_id,
      token: next.token,
      expiresAt,
    };
  });
  if (outcome.kind === 'refused') throw unauthenticated(outcome.reason);
  return {
    userId: outcome.user.id,
    ...(await accessTokenFor(em, signer, outcome.user, outcome.familyId)),
    refreshToken: outcome.token,
    refreshTokenExpiresAt: outcome.expiresAt,
  };
}
