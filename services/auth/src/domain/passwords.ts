import type { EntityManager } from '@mikro-orm/postgresql';
import { CommonReason } from '../../../../lib/error-reasons.js';
import type { Principal } from '../../../../lib/auth/principal.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { failedPrecondition, invalidArgument, unauthenticated } from '../../../../lib/errors.js';
import { newId } from '../../../../lib/ids.js';
import { User } from '../entities/user.js';
import { PasswordResetRequestedEvent } from '../../../../lib/events/catalog.js';
import { recordSecurityEvent } from './audit.js';
import type { ClientInfo } from './client-info.js';
import { normaliseEmail } from '../../../../lib/validation/email.js';
import type { EmailLinks } from './links.js';
import { recordFailedLogin } from './login.js';
import { hashOpaqueToken, newOpaqueToken } from './opaque-token.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { checkPasswordPolicy } from './password-policy.js';
import { revokeSessions } from './sessions.js';

export const RESET_TTL_MINUTES = 60;
const RESET_INTERVAL_SECONDS = 60;

/** Changes the caller's password after checking the current one; ends every other session. */
export async function changePassword(
  em: EntityManager,
  principal: Principal,
  input: { currentPassword: string; newPassword: string },
  client: ClientInfo,
): Promise<number> {
  if (!principal.sessionId)
    throw failedPrecondition('only a signed-in account has a password', CommonReason.SESSION_REQUIRED);
  if (input.currentPassword === '') throw invalidArgument('current_password', 'is required');
  const user = await em.findOne(User, { id: principal.userId });
  if (!user || !user.isActive) throw unauthenticated('the account is not active');
  checkPasswordPolicy(input.newPassword, user.email, 'new_password');
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await recordFailedLogin(em, user, client);
    throw unauthenticated('current password is wrong');
  }
  if (input.newPassword === input.currentPassword) {
    throw invalidArgument('new_password', 'must differ from the current password');
  }
  const passwordHash = await hashPassword(input.newPassword);
  return em.transactional(async (tx) => {
    await tx.nativeUpdate(User, { id: user.id }, { passwordHash, passwordChangedAt: new Date() });
    const revoked = await revokeSessions(tx, user.id, 'password_changed', principal.sessionId);
    recordSecurityEvent(tx, {
      action: 'password_changed',
      userId: user.id,
      email: user.email,
      client,
      metadata: { sessions_revoked: revoked },
    });
    return revoked;
  });
}

/**
 * Publishes a reset link when the email belongs to an active account, at most one a minute per
 * account; answers the same in every case (both paths are a few small queries, no password hash).
 */
export async function requestPasswordReset(
  em: EntityManager,
  links: EmailLinks,
  input: { email: string },
  client: ClientInfo,
): Promise<void> {
  const email = normaliseEmail(input.email);
  const user = await em.findOne(User, { email });
  if (!user || !user.isActive) {
    await em.transactional(async (tx) =>
      recordSecurityEvent(tx, {
        action: 'password_reset_requested',
        userId: user?.id,
        email,
        client,
        metadata: { sent: false, reason: user ? 'inactive' : 'unknown_email' },
      }),
    );
    return;
  }
  await em.transactional(async (tx) => {
    // Locking the account row makes concurrent requests for one account take turns here.
    await tx.execute(`SELECT id FROM users WHERE id = ? FOR UPDATE`, [user.id]);
    const [recent] = await tx.execute<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM password_reset_tokens
        WHERE user_id = ? AND created_at > now() - make_interval(secs => ?)`,
      [user.id, RESET_INTERVAL_SECONDS],
    );
    if ((recent?.n ?? 0) > 0) {
      recordSecurityEvent(tx, {
        action: 'password_reset_requested',
        userId: user.id,
        email,
        client,
        metadata: { sent: false, reason: 'too_soon' },
      });
      return;
    }
    const { token, hash } = newOpaqueToken();
    const expiresAt = new Date(Date.now() + RESET_TTL_MINUTES * 60_000);
    await tx.execute(
      `INSERT INTO password_reset_tokens (id, user_id, token_hash, expires_at, ip, created_at)
       VALUES (?, ?, ?, ?, ?, now())`,
      [newId(), user.id, hash, expiresAt, client.ip ?? null],
    );
    recordSecurityEvent(tx, {
      action: 'password_reset_requested',
      userId: user.id,
      email,
      client,
      metadata: { sent: true },
    });
    await publishEvent(tx, 'auth', PasswordResetRequestedEvent, {
      userId: user.id,
      email,
      firstName: '',
      resetLink: links.passwordReset(token),
      expiresAt,
    });
  });
}

/**
 * Sets a new password with a reset token. The token is claimed by one conditional UPDATE (one use,
 * even when presented twice at once); every session ends and a lockout is lifted. Every other
 * unused reset token of the account stops working too.
 */
export async function resetPassword(
  em: EntityManager,
  input: { token: string; newPassword: string },
  client: ClientInfo,
): Promise<string> {
  const token = input.token.trim();
  if (token === '') throw invalidArgument('token', 'is required');
  const hash = hashOpaqueToken(token);
  const [pending] = await em.execute<{ email: string }[]>(
    `SELECT u.email FROM password_reset_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ? AND NOT t.used AND t.expires_at > now() AND u.is_active`,
    [hash],
  );
  if (!pending) throw invalidArgument('token', 'is invalid or has expired');
  checkPasswordPolicy(input.newPassword, pending.email, 'new_password');
  const passwordHash = await hashPassword(input.newPassword);
  const userId = await em.transactional(async (tx) => {
    const [claimed] = await tx.execute<{ user_id: string }[]>(
      `UPDATE password_reset_tokens SET used = true, used_at = now()
        WHERE token_hash = ? AND NOT used AND expires_at > now() RETURNING user_id`,
      [hash],
    );
    if (!claimed) return undefined;
    await tx.execute(
      `UPDATE password_reset_tokens SET used = true, used_at = now() WHERE user_id = ? AND NOT used`,
      [claimed.user_id],
    );
    await tx.nativeUpdate(
      User,
      { id: claimed.user_id },
      { passwordHash, passwordChangedAt: new Date(), failedLoginAttempts: 0, lockedUntil: null },
    );
    const revoked = await revokeSessions(tx, claimed.user_id, 'password_reset');
    recordSecurityEvent(tx, {
      action: 'password_reset',
      userId: claimed.user_id,
      email: pending.email,
      client,
      metadata: { sessions_revoked: revoked },
    });
    return claimed.user_id;
  });
  if (!userId) throw invalidArgument('token', 'is invalid or has expired');
  return userId;
}
