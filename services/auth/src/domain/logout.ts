import type { EntityManager } from '@mikro-orm/postgresql';
import { CommonReason } from '../../../../lib/error-reasons.js';
import type { Principal } from '../../../../lib/auth/principal.js';
import { failedPrecondition } from '../../../../lib/errors.js';
import { recordSecurityEvent } from './audit.js';
import type { ClientInfo } from './client-info.js';
import { revokeFamily, revokeSessions } from './sessions.js';

function sessionOf(principal: Principal): string {
  if (!principal.sessionId)
    throw failedPrecondition('this token belongs to no login session', CommonReason.SESSION_REQUIRED);
  return principal.sessionId;
}

/** Ends the session the access token belongs to (its refresh-token family). Idempotent. */
export async function endSession(em: EntityManager, principal: Principal, client: ClientInfo): Promise<void> {
  const sessionId = sessionOf(principal);
  await em.transactional(async (tx) => {
    // The family must be the caller's own: a token's sid and sub come from one signature.
    const revoked = await revokeFamily(tx, sessionId, 'logout');
    recordSecurityEvent(tx, {
      action: 'logout',
      userId: principal.userId,
      email: principal.email,
      client,
      metadata: { session_id: sessionId, tokens_revoked: revoked },
    });
  });
}

/** Ends every session of the caller's account. Returns how many were still open. */
export async function endAllSessions(
  em: EntityManager,
  principal: Principal,
  client: ClientInfo,
): Promise<number> {
  sessionOf(principal);
  return em.transactional(async (tx) => {
    const revoked = await revokeSessions(tx, principal.userId, 'logout_all');
    recordSecurityEvent(tx, {
      action: 'logout_all',
      userId: principal.userId,
      email: principal.email,
      client,
      metadata: { sessions_revoked: revoked },
    });
    return revoked;
  });
}
