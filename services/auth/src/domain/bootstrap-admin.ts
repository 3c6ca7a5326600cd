import type { EntityManager } from '@mikro-orm/postgresql';
import { ADMIN_ROLE } from '../../../../lib/auth/principal.js';
import { ConfigError } from '../../../../lib/config/index.js';
import { AppError } from '../../../../lib/errors.js';
import type { Logger } from '../../../../lib/log.js';
import { Role } from '../entities/role.js';
import { User } from '../entities/user.js';
import { UserRole } from '../entities/user-role.js';
import type { EmailLinks } from './links.js';
import { registerUser } from './registration.js';

/**
 * The first administrator of a fresh installation, from AUTH_BOOTSTRAP_ADMIN_EMAIL and
 * AUTH_BOOTSTRAP_ADMIN_PASSWORD: registered like anyone else (so the other services hear of it),
 * then given the admin role. Idempotent: an existing account only gets the role if it lacks it.
 */
export async function ensureBootstrapAdmin(
  em: EntityManager,
  links: EmailLinks,
  credentials: { email: string; password: string },
  logger: Logger,
): Promise<void> {
  let user = await em.findOne(User, { email: credentials.email.trim().toLowerCase() });
  if (!user) {
    const { userId } = await registerUser(
      em,
      links,
      { ...credentials, firstName: 'Platform', lastName: 'Administrator' },
      { ip: undefined, userAgent: 'bootstrap' },
    ).catch((error: unknown) => {
      // A rejected email or password is a configuration mistake: say which setting to fix.
      if (error instanceof AppError && error.violations?.[0]) {
        const { field, description } = error.violations[0];
        throw new ConfigError(`AUTH_BOOTSTRAP_ADMIN_${field.toUpperCase()}`, description);
      }
      throw error;
    });
    user = await em.findOneOrFail(User, { id: userId });
    logger.info({ email: user.email }, 'bootstrap administrator registered');
  }
  const admin = await em.findOneOrFail(Role, { name: ADMIN_ROLE });
  if ((await em.count(UserRole, { user: user.id, role: admin.id })) === 0) {
    await em.transactional(async (tx) => void tx.create(UserRole, { user: user.id, role: admin.id }));
  }
}
