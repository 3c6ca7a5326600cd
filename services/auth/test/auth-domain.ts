import { generateSigningKey } from '../../../lib/auth/key-ring.js';
import { TokenSigner } from '../../../lib/auth/token-signer.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { ensureBuiltInRoles } from '../src/domain/built-in-roles.js';
import type { ClientInfo } from '../src/domain/client-info.js';
import { EmailLinks } from '../src/domain/links.js';
import { LoginLimits } from '../src/domain/login-limits.js';
import { registerUser } from '../src/domain/registration.js';
import { SlidingWindowCounter } from '../src/domain/sliding-window.js';
import { authEntities } from '../src/entities/index.js';
import { authMigrations } from '../src/migrations/index.js';

/** What the auth domain tests share: a scratch auth database, a signer, and accounts made to order. */

export const PASSWORD = 'correct-horse-42';
export const links = new EmailLinks(new URL('https://shop.example/'));

/** Login limits that never refuse (the limits have tests of their own). */
export function noLoginLimits(): LoginLimits {
  return new LoginLimits(new SlidingWindowCounter(0, 60_000), new SlidingWindowCounter(0, 60_000));
}

/** A migrated auth database of its own, with the built-in roles, and a token signer with a new key. */
export async function openAuthDomain(name: string): Promise<{ db: ScratchDatabase; signer: TokenSigner }> {
  const db = await openScratchDatabase(name, { entities: authEntities, migrations: authMigrations });
  await ensureBuiltInRoles(db.orm.em.fork());
  const signer = await TokenSigner.create({ active: await generateSigningKey(), previous: [] });
  return { db, signer };
}

/** Registers accounts with PASSWORD and emails `<prefix>-<n>-<time>@example.com`, each new. */
export function accountMaker(db: ScratchDatabase, client: ClientInfo, prefix: string) {
  let n = 0;
  return (): Promise<{ userId: string; email: string }> =>
    registerUser(
      db.orm.em.fork(),
      links,
      {
        email: `${prefix}-${++n}-${Date.now().toString(36)}@example.com`,
        password: PASSWORD,
        firstName: 'Test',
        lastName: 'User',
      },
      client,
    );
}
