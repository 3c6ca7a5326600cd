import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenSigner } from '../../../../lib/auth/token-signer.js';
import type { Principal } from '../../../../lib/auth/principal.js';
import { invalidArgument, unauthenticated } from '../../../../lib/errors.js';
import { RefreshToken } from '../entities/refresh-token.js';
import { User } from '../entities/user.js';
import { UserRole } from '../entities/user-role.js';
import { newId } from '../../../../lib/ids.js';
import { recordSecurityEvent } from './audit.js';
import type { ClientInfo } from './client-info.js';
import { normaliseEmail } from './email.js';
import { verifyAgainstDummy, verifyPassword } from './password-hash.js';
import { newOpaqueToken } from './opaque-token.js';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

export interface Session {
  userId: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

// One answer for every refusal, so that it never tells whether an email has an account.
const INVALID_CREDENTIALS = 'invalid email or password';

/** Checks a password and opens a session: an access token and a new refresh-token family. */
export async function login(
  em: EntityManager,
  signer: TokenSigner,
  input: { email: string; password: string },
  client: ClientInfo,
): Promise<Session> {
  const email = normaliseEmail(input.email);
  if (input.password === '') throw invalidArgument('password', 'is required');
  const user = await em.findOne(User, { email });
  const locked = user?.lockedUntil != null && user.lockedUntil > new Date();
  if (!user || !user.isActive || locked) {
    await verifyAgainstDummy(input.password);
    await em.transactional(async (tx) =>
      recordSecurityEvent(tx, 'login_failed', user?.id, client, {
        email,
        reason: !user ? 'unknown_email' : locked ? 'locked' : 'inactive',
      }),
    );
    throw unauthenticated(INVALID_CREDENTIALS);
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    await recordFailedLogin(em, user.id, client);
    throw unauthenticated(INVALID_CREDENTIALS);
  }
  return openSession(em, signer, user, client);
}

/**
 * Counts a failed attempt with one atomic UPDATE (concurrent failures can't lose a count) and locks
 * the account when the count reaches the limit.
 */
async function recordFailedLogin(em: EntityManager, userId: string, client: ClientInfo): Promise<void> {
  await em.transactional(async (tx) => {
    const [row] = await tx.execute<{ failed_login_attempts: number; locked: boolean }[]>(
      `UPDATE users
          SET failed_login_attempts = failed_login_attempts + 1,
              locked_until = CASE WHEN failed_login_attempts + 1 >= ?
                                  THEN now() + make_interval(mins => ?) ELSE locked_until END,
              updated_at = now()
        WHERE id = ?
    RETURNING failed_login_attempts, (locked_until > now()) AS locked`,
      [MAX_FAILED_LOGINS, LOCKOUT_MINUTES, userId],
    );
    recordSecurityEvent(tx, 'login_failed', userId, client, { attempts: row?.failed_login_attempts });
    if (row?.locked && row.failed_login_attempts === MAX_FAILED_LOGINS) {
      recordSecurityEvent(tx, 'account_locked', userId, client, { minutes: LOCKOUT_MINUTES });
    }
  });
}

async function openSession(
  em: EntityManager,
  signer: TokenSigner,
  user: User,
  client: ClientInfo,
): Promise<Session> {
  const principal = await principalFor(em, user);
  const refresh = newOpaqueToken();
  const now = Date.now();
  const refreshTokenExpiresAt = new Date(now + REFRESH_TOKEN_TTL_SECONDS * 1000);
  await em.transactional(async (tx) => {
    await tx.nativeUpdate(
      User,
      { id: user.id },
      { failedLoginAttempts: 0, lockedUntil: null, lastLoginAt: new Date() },
    );
    tx.create(RefreshToken, {
      tokenHash: refresh.hash,
      user: user.id,
      familyId: newId(),
      expiresAt: refreshTokenExpiresAt,
      ip: client.ip ?? null,
      userAgent: client.userAgent ?? null,
    });
    recordSecurityEvent(tx, 'login_succeeded', user.id, client);
  });
  return {
    userId: user.id,
    accessToken: await signer.sign(principal, ACCESS_TOKEN_TTL_SECONDS),
    accessTokenExpiresAt: new Date(now + ACCESS_TOKEN_TTL_SECONDS * 1000),
    refreshToken: refresh.token,
    refreshTokenExpiresAt,
  };
}

/** The roles of a user and the permissions those roles grant, as the access token carries them. */
async function principalFor(em: EntityManager, user: User): Promise<Principal> {
  const assignments = await em.find(UserRole, { user: user.id }, { populate: ['role'] });
  const roles = assignments.map((a) => a.role.$.name).sort();
  const permissions = [...new Set(assignments.flatMap((a) => a.role.$.permissions))].sort();
  return { userId: user.id, email: user.email, roles, permissions };
}
