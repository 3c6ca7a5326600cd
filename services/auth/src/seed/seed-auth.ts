import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { UserRegistered } from '../../../../gen/ecommerce/auth/v1/events.js';
import { ConfigError, readString, type Env } from '../../../../lib/config/index.js';
import { AppError } from '../../../../lib/errors.js';
import { publishEvent } from '../../../../lib/events/index.js';
import {
  countInserted,
  emptySeedResult,
  retryOnceOnConflict,
  type DemoSeedResult,
} from '../../../../lib/runtime/demo-seed.js';
import { Role, SecurityAuditLog, User, UserRole } from '../entities/index.js';
import { UserRegisteredEvent } from '../../../../lib/events/catalog.js';
import { normaliseEmail } from '../../../../lib/validation/email.js';
import { hashPassword } from '../domain/password-hash.js';
import { checkPasswordPolicy } from '../domain/password-policy.js';
import { DEFAULT_DEMO_ADMIN_EMAIL, DEMO_ROLES } from './demo-roles.js';

interface AdminCredentials {
  email: string;
  password: string;
  /** True when the password was made up here (and must be shown to the person seeding). */
  generated: boolean;
}

/** Runs an auth rule on a setting; a rejection is a configuration mistake naming that setting. */
function checkSetting<T>(setting: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof AppError) throw new ConfigError(setting, error.message);
    throw error;
  }
}

/** From AUTH_BOOTSTRAP_ADMIN_EMAIL/PASSWORD, or a fresh random password for the default email. */
function adminCredentials(env: Env): AdminCredentials {
  const email = checkSetting('AUTH_BOOTSTRAP_ADMIN_EMAIL', () =>
    normaliseEmail(readString(env, 'AUTH_BOOTSTRAP_ADMIN_EMAIL') ?? DEFAULT_DEMO_ADMIN_EMAIL),
  );
  const password = readString(env, 'AUTH_BOOTSTRAP_ADMIN_PASSWORD');
  if (!password) return { email, password: `demo-${randomBytes(15).toString('base64url')}`, generated: true };
  checkSetting('AUTH_BOOTSTRAP_ADMIN_PASSWORD', () => checkPasswordPolicy(password, email));
  return { email, password, generated: false };
}

/**
 * Loads the demo roles (by name) and the administrator account (by email) through the auth
 * service's entities. A new administrator is created verified, with the customer and admin roles,
 * audited, and announced with `auth.user.registered` like any account (so the user service makes
 * its profile once the outbox is relayed). Its password comes from AUTH_BOOTSTRAP_ADMIN_PASSWORD,
 * or is generated and returned as a notice: the only time it is ever shown. An existing account
 * keeps its password and only gets the admin role if it lacks it.
 */
export function seedAuthDemo(orm: MikroORM, env: Env): Promise<DemoSeedResult> {
  return retryOnceOnConflict(() => loadAuthDemo(orm, env));
}

async function loadAuthDemo(orm: MikroORM, env: Env): Promise<DemoSeedResult> {
  const result = emptySeedResult(['roles', 'users', 'user_roles']);
  const credentials = adminCredentials(env);
  const em = orm.em.fork();
  const existingAdmin = await em.findOne(User, { email: credentials.email });
  // The slow part (argon2id) before the transaction opens, and only for an account to create.
  const passwordHash = existingAdmin ? undefined : await hashPassword(credentials.password);

  await em.transactional(async (tx) => {
    const roles = new Map(
      (await tx.find(Role, { name: { $in: DEMO_ROLES.map((r) => r.name) } })).map((r) => [r.name, r]),
    );
    for (const demo of DEMO_ROLES) {
      if (roles.has(demo.name)) continue;
      roles.set(demo.name, tx.create(Role, demo));
      countInserted(result, 'roles');
    }

    let admin = existingAdmin ? await tx.findOneOrFail(User, { id: existingAdmin.id }) : undefined;
    if (!admin) {
      const now = new Date();
      admin = tx.create(User, {
        email: credentials.email,
        passwordHash: passwordHash!,
        emailVerified: true,
        emailVerifiedAt: now,
      });
      countInserted(result, 'users');
      tx.create(SecurityAuditLog, {
        userId: admin.id,
        action: 'register',
        email: credentials.email,
        userAgent: 'demo seed',
        metadata: { source: 'demo seed', roles: ['customer', 'admin'] },
      });
      await publishEvent(
        tx,
        'auth',
        UserRegisteredEvent,
        UserRegistered.fromPartial({
          userId: admin.id,
          email: credentials.email,
          firstName: 'Demo',
          lastName: 'Administrator',
          registeredAt: now,
        }),
      );
      result.notices.push(
        credentials.generated
          ? `Demo administrator: ${credentials.email} / ${credentials.password} (shown once: write it down, ` +
              `or set AUTH_BOOTSTRAP_ADMIN_EMAIL and AUTH_BOOTSTRAP_ADMIN_PASSWORD before seeding)`
          : `Demo administrator: ${credentials.email} (password from AUTH_BOOTSTRAP_ADMIN_PASSWORD)`,
      );
    }
    const held = new Set(
      (await tx.find(UserRole, { user: admin.id }, { populate: ['role'] })).map(
        (ur) => ur.role.getEntity().name,
      ),
    );
    for (const name of ['customer', 'admin']) {
      if (held.has(name)) continue;
      tx.create(UserRole, { user: admin, role: roles.get(name)! });
      countInserted(result, 'user_roles');
    }
  });
  return result;
}
