import type { EntityManager } from '@mikro-orm/postgresql';
import { AuthReason } from '../../../../lib/error-reasons.js';
import type { TokenSigner } from '../../../../lib/auth/token-signer.js';
import { invalidArgument, resourceExhausted, unauthenticated } from '../../../../lib/errors.js';
import { User } from '../entities/user.js';
import { recordSecurityEvent } from './audit.js';
import type { ClientInfo } from './client-info.js';
import { normaliseEmail } from '../../../../lib/validation/email.js';
import type { LoginLimits } from './login-limits.js';
import { verifyAgainstDummy, verifyPassword } from './password-hash.js';
import { accessTokenFor, startSession, type Session } from './sessions.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

// One answer for every refusal, so that it never tells whether an email has an account.
export const INVALID_CREDENTIALS = 'invalid email or password';

/** Checks a password and opens a session: an access token and a new refresh-token family. */
export async function login(
  em: EntityManager,
  signer: TokenSigner,
  limits: LoginLimits,
  input: { email: string; password: string },
  client: ClientInfo,
): Promise<Session> {
  const email = normaliseEmail(input.email);
  if (input.password === '') throw invalidArgument('password', 'is required');
  const admission = limits.admit(email, client.ip);
  if (admission.waitSeconds > 0) {
    if (admission.firstRefusal) {
      await em.transactional(async (tx) =>
        recordSecurityEvent(tx, {
          action: 'login_rate_limited',
          email,
          client,
          metadata: { limit: admission.limit },
        }),
      );
    }
    throw resourceExhausted(
      `too many login attempts; retry in ${admission.waitSeconds} s`,
      AuthReason.TOO_MANY_LOGIN_ATTEMPTS,
      { retry_after_seconds: String(admission.waitSeconds) },
    );
  }
  const user = await em.findOne(User, { email });
  const locked = user?.lockedUntil != null && user.lockedUntil > new Date();
  if (!user || !user.isActive || locked) {
    await verifyAgainstDummy(input.password);
    limits.recordFailure(client.ip);
    await em.transactional(async (tx) =>
      recordSecurityEvent(tx, {
        action: 'login_failed',
        userId: user?.id,
        email,
        client,
        metadata: { reason: !user ? 'unknown_email' : locked ? 'locked' : 'inactive' },
      }),
    );
    throw unauthenticated(INVALID_CREDENTIALS);
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    limits.recordFailure(client.ip);
    await recordFailedLogin(em, user, client);
    throw unauthenticated(INVALID_CREDENTIALS);
  }
  // One transaction for every write of a login: the counters reset, last_login_at (shown by the
  // admin GetUser/ListUsers), the audit entry and the new session. nativeUpdate skips the entity's
  // onUpdate hook, so updated_at is set here, as a failed attempt sets it.
  const session = await em.transactional(async (tx) => {
    const now = new Date();
    await tx.nativeUpdate(
      User,
      { id: user.id },
      { failedLoginAttempts: 0, lockedUntil: null, lastLoginAt: now, updatedAt: now },
    );
    recordSecurityEvent(tx, { action: 'login_succeeded', userId: user.id, email, client });
    return startSession(tx, user, client);
  });
  return {
    userId: user.id,
    ...(await accessTokenFor(em, signer, user, session.familyId)),
    refreshToken: session.refreshToken,
    refreshTokenExpiresAt: session.refreshTokenExpiresAt,
  };
}

/**
 * Counts a failed attempt with one atomic UPDATE and locks the account when the count reaches the
 * limit. Attempts that arrive while the account is locked (they passed the check above before the
 * lock committed) change nothing, so however many race, the count stops at the limit and the lock
 * is set once. A lock that has run out starts a new count.
 */
export async function recordFailedLogin(
  em: EntityManager,
  user: { id: string; email: string },
  client: ClientInfo,
): Promise<void> {
  await em.transactional(async (tx) => {
    const [row] = await tx.execute<{ failed_login_attempts: number; locked: boolean }[]>(
      `UPDATE users
          SET failed_login_attempts = CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_login_attempts + 1 END,
              locked_until = CASE WHEN (CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_login_attempts + 1 END) >= ?
                                  THEN now() + make_interval(mins => ?) ELSE NULL END,
              updated_at = now()
        WHERE id = ? AND (locked_until IS NULL OR locked_until <= now())
    RETURNING failed_login_attempts, (locked_until IS NOT NULL) AS locked`,
      [MAX_FAILED_LOGINS, LOCKOUT_MINUTES, user.id],
    );
    recordSecurityEvent(tx, {
      action: 'login_failed',
      userId: user.id,
      email: user.email,
      client,
      metadata: row
        ? { reason: 'wrong_password', attempts: row.failed_login_attempts }
        : { reason: 'wrong_password', already_locked: true },
    });
    if (row?.locked) {
      recordSecurityEvent(tx, {
        action: 'account_locked',
        userId: user.id,
        email: user.email,
        client,
        metadata: { minutes: LOCKOUT_MINUTES },
      });
    }
  });
}
