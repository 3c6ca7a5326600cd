import type { EntityManager } from '@mikro-orm/postgresql';
import { AuthReason } from '../../../../lib/error-reasons.js';
import type { UserAccount } from '../../../../gen/ecommerce/auth/v1/auth.js';
import { ActivityFilter } from '../../../../gen/ecommerce/auth/v1/auth.js';
import { ADMIN_ROLE, type Principal } from '../../../../lib/auth/principal.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { failedPrecondition, invalidArgument, notFound } from '../../../../lib/errors.js';
import { newId } from '../../../../lib/ids.js';
import { UserDeactivatedEvent, UserReactivatedEvent } from '../../../../lib/events/catalog.js';
import { recordSecurityEvent } from './audit.js';
import type { ClientInfo } from './client-info.js';
import { keysetPageOf, pageFrom } from '../../../../lib/paging/index.js';
import { requireUuid } from '../../../../lib/validation/index.js';
import { revokeSessions } from './sessions.js';

const MAX_REASON_LENGTH = 500;

interface AccountRow {
  id: string;
  email: string;
  email_verified: boolean;
  is_active: boolean;
  roles: string[];
  failed_login_attempts: number;
  locked_until: Date | null;
  last_login_at: Date | null;
  created_at: Date;
  cursor_at: string;
}

// One query per account read: the row and its role names.
const ACCOUNT_COLUMNS = `u.id, u.email, u.email_verified, u.is_active, u.failed_login_attempts, u.locked_until,
  u.last_login_at, u.created_at,
  coalesce((SELECT array_agg(r.name ORDER BY r.name) FROM user_roles ur JOIN roles r ON r.id = ur.role_id
             WHERE ur.user_id = u.id), '{}') AS roles`;

function accountOf(row: AccountRow): UserAccount {
  return {
    userId: row.id,
    email: row.email,
    emailVerified: row.email_verified,
    isActive: row.is_active,
    roles: row.roles,
    failedLoginAttempts: row.failed_login_attempts,
    lockedUntil: row.locked_until ? new Date(row.locked_until) : undefined,
    lastLoginAt: row.last_login_at ? new Date(row.last_login_at) : undefined,
    createdAt: new Date(row.created_at),
  };
}

async function accountById(em: EntityManager, userId: string): Promise<UserAccount | undefined> {
  const [row] = await em.execute<AccountRow[]>(`SELECT ${ACCOUNT_COLUMNS} FROM users u WHERE u.id = ?`, [
    userId,
  ]);
  return row ? accountOf(row) : undefined;
}

export async function getUser(em: EntityManager, input: { userId: string }): Promise<UserAccount> {
  const userId = requireUuid('user_id', input.userId);
  const account = await accountById(em, userId);
  if (!account) throw notFound('user', userId);
  return account;
}

export interface UserFilters {
  emailContains: string;
  role: string;
  activity: ActivityFilter;
}

/** Accounts newest first, keyset-paged on (created_at, id), in one query. */
export async function listUsers(
  em: EntityManager,
  input: UserFilters & { page?: { pageSize: number; pageToken: string } | undefined },
): Promise<{ users: UserAccount[]; nextPageToken: string }> {
  const filters = { e: input.emailContains.trim().toLowerCase(), r: input.role.trim(), a: input.activity };
  const page = keysetPageOf(input.page, filters, 'timestamp');
  const after = page.after;
  const where: string[] = [];
  const params: unknown[] = [];
  if (filters.e) {
    where.push(`position(? in u.email) > 0`);
    params.push(filters.e);
  }
  if (filters.r) {
    where.push(
      `EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = ?)`,
    );
    params.push(filters.r);
  }
  if (filters.a === ActivityFilter.ACTIVITY_FILTER_ACTIVE) where.push('u.is_active');
  else if (filters.a === ActivityFilter.ACTIVITY_FILTER_INACTIVE) where.push('NOT u.is_active');
  else if (filters.a !== ActivityFilter.ACTIVITY_FILTER_UNSPECIFIED) {
    throw invalidArgument('activity', 'is not a known value');
  }
  if (after) {
    where.push(`(u.created_at, u.id) < (?::timestamptz, ?)`);
    params.push(after.key, after.id);
  }
  // created_at as PostgreSQL prints it (microseconds kept: a JavaScript Date would round them away).
  const rows = await em.execute<AccountRow[]>(
    `SELECT ${ACCOUNT_COLUMNS}, u.created_at::text AS cursor_at FROM users u ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY u.created_at DESC, u.id DESC LIMIT ?`,
    [...params, page.size + 1],
  );
  const shown = pageFrom(rows, page, (row) => ({ key: row.cursor_at, id: row.id }));
  return { users: shown.rows.map(accountOf), nextPageToken: shown.nextPageToken };
}

export async function listRoles(
  em: EntityManager,
): Promise<{ name: string; description: string; permissions: string[] }[]> {
  const rows = await em.execute<{ name: string; description: string | null; permissions: string[] }[]>(
    `SELECT name, description, permissions FROM roles ORDER BY name`,
  );
  return rows.map((row) => ({
    name: row.name,
    description: row.description ?? '',
    permissions: [...row.permissions].sort(),
  }));
}

function checkRoleName(value: string): string {
  const role = value.trim();
  if (role === '') throw invalidArgument('role', 'is required');
  return role;
}

async function rolesOf(tx: EntityManager, userId: string): Promise<string[]> {
  const rows = await tx.execute<{ name: string }[]>(
    `SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ? ORDER BY r.name`,
    [userId],
  );
  return rows.map((row) => row.name);
}

/** Locks the account row (role and state changes of one account take turns), or NOT_FOUND. */
interface LockedAccount {
  id: string;
  email: string;
  is_active: boolean;
  failed_login_attempts: number;
  locked_until: Date | null;
}

async function lockAccount(tx: EntityManager, userId: string): Promise<LockedAccount> {
  const [user] = await tx.execute<LockedAccount[]>(
    `SELECT id, email, is_active, failed_login_attempts, locked_until FROM users WHERE id = ? FOR UPDATE`,
    [userId],
  );
  if (!user) throw notFound('user', userId);
  return user;
}

async function roleId(tx: EntityManager, name: string): Promise<string> {
  const [role] = await tx.execute<{ id: string }[]>(`SELECT id FROM roles WHERE name = ?`, [name]);
  if (!role) throw notFound('role', name);
  return role.id;
}

export async function assignRole(
  em: EntityManager,
  actor: Principal,
  input: { userId: string; role: string },
  client: ClientInfo,
): Promise<string[]> {
  const userId = requireUuid('user_id', input.userId);
  const role = checkRoleName(input.role);
  return em.transactional(async (tx) => {
    const user = await lockAccount(tx, userId);
    const id = await roleId(tx, role);
    const [inserted] = await tx.execute<{ id: string }[]>(
      `INSERT INTO user_roles (id, user_id, role_id, granted_by, created_at) VALUES (?, ?, ?, ?, now())
       ON CONFLICT (user_id, role_id) DO NOTHING RETURNING id`,
      [newId(), userId, id, actor.userId],
    );
    if (inserted) {
      recordSecurityEvent(tx, {
        action: 'role_assigned',
        userId,
        email: user.email,
        client,
        metadata: { role, actor_id: actor.userId },
      });
    }
    return rolesOf(tx, userId);
  });
}

export async function removeRole(
  em: EntityManager,
  actor: Principal,
  input: { userId: string; role: string },
  client: ClientInfo,
): Promise<string[]> {
  const userId = requireUuid('user_id', input.userId);
  const role = checkRoleName(input.role);
  return em.transactional(async (tx) => {
    const user = await lockAccount(tx, userId);
    const id = await roleId(tx, role);
    if (role === ADMIN_ROLE) await keepOneAdmin(tx, id, userId);
    const deleted = await tx.execute<{ id: string }[]>(
      `DELETE FROM user_roles WHERE user_id = ? AND role_id = ? RETURNING id`,
      [userId, id],
    );
    if (deleted.length > 0) {
      recordSecurityEvent(tx, {
        action: 'role_removed',
        userId,
        email: user.email,
        client,
        metadata: { role, actor_id: actor.userId },
      });
    }
    return rolesOf(tx, userId);
  });
}

/**
 * Refuses to leave the platform without an active administrator. The admin role row is locked so
 * that two removals at once cannot each see the other admin as the one who stays.
 */
async function keepOneAdmin(tx: EntityManager, adminRoleId: string, userId: string): Promise<void> {
  await tx.execute(`SELECT id FROM roles WHERE id = ? FOR UPDATE`, [adminRoleId]);
  const [others] = await tx.execute<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM user_roles ur JOIN users u ON u.id = ur.user_id
      WHERE ur.role_id = ? AND ur.user_id <> ? AND u.is_active`,
    [adminRoleId, userId],
  );
  if ((others?.n ?? 0) === 0)
    throw failedPrecondition(
      'the last active administrator keeps the admin role',
      AuthReason.LAST_ADMINISTRATOR,
    );
}

export async function deactivateUser(
  em: EntityManager,
  actor: Principal,
  input: { userId: string; reason: string },
  client: ClientInfo,
): Promise<UserAccount> {
  const userId = requireUuid('user_id', input.userId);
  const reason = input.reason.trim();
  if (reason.length > MAX_REASON_LENGTH) {
    throw invalidArgument('reason', `must be at most ${MAX_REASON_LENGTH} characters`);
  }
  if (userId === actor.userId)
    throw failedPrecondition(
      'an administrator cannot deactivate their own account',
      AuthReason.SELF_DEACTIVATION,
    );
  await em.transactional(async (tx) => {
    const user = await lockAccount(tx, userId);
    if (!user.is_active) return;
    await tx.execute(`UPDATE users SET is_active = false, updated_at = now() WHERE id = ?`, [userId]);
    const revoked = await revokeSessions(tx, userId, 'deactivated');
    recordSecurityEvent(tx, {
      action: 'user_deactivated',
      userId,
      email: user.email,
      client,
      metadata: { actor_id: actor.userId, reason, sessions_revoked: revoked },
    });
    await publishEvent(tx, 'auth', UserDeactivatedEvent, {
      userId,
      deactivatedBy: actor.userId,
      reason,
      deactivatedAt: new Date(),
    });
  });
  return (await accountById(em, userId))!;
}

export async function reactivateUser(
  em: EntityManager,
  actor: Principal,
  input: { userId: string },
  client: ClientInfo,
): Promise<UserAccount> {
  const userId = requireUuid('user_id', input.userId);
  await em.transactional(async (tx) => {
    const user = await lockAccount(tx, userId);
    const lockedOut = user.failed_login_attempts > 0 || user.locked_until !== null;
    if (user.is_active && !lockedOut) return;
    await tx.execute(
      `UPDATE users SET is_active = true, failed_login_attempts = 0, locked_until = NULL, updated_at = now()
        WHERE id = ?`,
      [userId],
    );
    recordSecurityEvent(tx, {
      action: 'user_reactivated',
      userId,
      email: user.email,
      client,
      metadata: { actor_id: actor.userId, was_active: user.is_active, lockout_lifted: lockedOut },
    });
    // The event says a deactivated account can log in again; lifting a lockout alone is not one.
    if (user.is_active) return;
    await publishEvent(tx, 'auth', UserReactivatedEvent, {
      userId,
      reactivatedBy: actor.userId,
      reactivatedAt: new Date(),
    });
  });
  return (await accountById(em, userId))!;
}
