import type { EntityManager } from '@mikro-orm/postgresql';
import { AuthReason, CommonReason } from '../../../../lib/error-reasons.js';
import type { Principal } from '../../../../lib/auth/principal.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { failedPrecondition, invalidArgument, resourceExhausted } from '../../../../lib/errors.js';
import { newId } from '../../../../lib/ids.js';
import { EmailVerificationRequestedEvent, UserEmailVerifiedEvent } from '../../../../lib/events/catalog.js';
import { recordSecurityEvent } from './audit.js';
import type { ClientInfo } from './client-info.js';
import type { EmailLinks } from './links.js';
import { hashOpaqueToken, newOpaqueToken } from './opaque-token.js';

export const VERIFICATION_TTL_HOURS = 24;
const RESEND_INTERVAL_SECONDS = 60;
const INVALID_TOKEN = 'is invalid or has expired';

/**
 * Issues a verification token for the user's address (earlier unused ones stop working), audits
 * it and publishes the link, in the caller's transaction.
 */
export async function issueEmailVerification(
  tx: EntityManager,
  links: EmailLinks,
  user: { id: string; email: string; firstName?: string },
  client: ClientInfo,
): Promise<Date> {
  const { token, hash } = newOpaqueToken();
  const expiresAt = new Date(Date.now() + VERIFICATION_TTL_HOURS * 3600_000);
  await tx.execute(`DELETE FROM email_verification_tokens WHERE user_id = ? AND NOT verified`, [user.id]);
  await tx.execute(
    `INSERT INTO email_verification_tokens (id, user_id, token_hash, email, expires_at, created_at)
     VALUES (?, ?, ?, ?, ?, now())`,
    [newId(), user.id, hash, user.email, expiresAt],
  );
  recordSecurityEvent(tx, { action: 'email_verification_sent', userId: user.id, email: user.email, client });
  await publishEvent(tx, 'auth', EmailVerificationRequestedEvent, {
    userId: user.id,
    email: user.email,
    firstName: user.firstName ?? '',
    verificationLink: links.verification(token),
    expiresAt,
  });
  return expiresAt;
}

/**
 * Spends a verification token: one conditional UPDATE claims it (so two presentations at once
 * verify once), then the account is marked verified if the token's address is still its email.
 */
export async function verifyEmail(
  em: EntityManager,
  input: { token: string },
  client: ClientInfo,
): Promise<{ userId: string; email: string }> {
  const token = input.token.trim();
  if (token === '') throw invalidArgument('token', 'is required');
  const verified = await em.transactional(async (tx) => {
    const [claimed] = await tx.execute<{ user_id: string; email: string }[]>(
      `UPDATE email_verification_tokens SET verified = true, verified_at = now()
        WHERE token_hash = ? AND NOT verified AND expires_at > now()
    RETURNING user_id, email`,
      [hashOpaqueToken(token)],
    );
    if (!claimed) return undefined;
    const [user] = await tx.execute<{ id: string }[]>(
      `UPDATE users SET email_verified = true, email_verified_at = now(), updated_at = now()
        WHERE id = ? AND lower(email) = lower(?) RETURNING id`,
      [claimed.user_id, claimed.email],
    );
    if (!user) return undefined;
    const verifiedAt = new Date();
    recordSecurityEvent(tx, { action: 'email_verified', userId: user.id, email: claimed.email, client });
    await publishEvent(tx, 'auth', UserEmailVerifiedEvent, {
      userId: user.id,
      email: claimed.email,
      verifiedAt,
    });
    return { userId: user.id, email: claimed.email };
  });
  if (!verified) throw invalidArgument('token', INVALID_TOKEN);
  return verified;
}

/** A new link for the caller's own address, at most one a minute. */
export async function resendVerification(
  em: EntityManager,
  links: EmailLinks,
  principal: Principal,
  client: ClientInfo,
): Promise<Date> {
  if (!principal.sessionId)
    throw failedPrecondition(
      'only a signed-in account has an email to verify',
      CommonReason.SESSION_REQUIRED,
    );
  return em.transactional(async (tx) => {
    const [user] = await tx.execute<{ id: string; email: string; email_verified: boolean }[]>(
      `SELECT id, email, email_verified FROM users WHERE id = ? FOR UPDATE`,
      [principal.userId],
    );
    if (!user) throw failedPrecondition('the account no longer exists', AuthReason.ACCOUNT_GONE);
    if (user.email_verified)
      throw failedPrecondition('the email is already verified', AuthReason.EMAIL_ALREADY_VERIFIED);
    const [recent] = await tx.execute<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM email_verification_tokens
        WHERE user_id = ? AND created_at > now() - make_interval(secs => ?)`,
      [user.id, RESEND_INTERVAL_SECONDS],
    );
    if ((recent?.n ?? 0) > 0) {
      throw resourceExhausted(
        `a verification email was sent less than ${RESEND_INTERVAL_SECONDS} s ago`,
        AuthReason.VERIFICATION_RESENT_TOO_SOON,
        { retry_after_seconds: String(RESEND_INTERVAL_SECONDS) },
      );
    }
    return issueEmailVerification(tx, links, user, client);
  });
}
