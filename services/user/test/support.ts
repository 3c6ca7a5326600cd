import { AppError, type FieldViolation } from '../../../lib/errors.js';
import { newId } from '../../../lib/ids.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { userEntities } from '../src/entities/index.js';
import { UserProfile } from '../src/entities/user-profile.js';
import { userMigrations } from '../src/migrations/index.js';

export function openUserDatabase(prefix: string): Promise<ScratchDatabase> {
  return openScratchDatabase(prefix, { entities: userEntities, migrations: userMigrations });
}

/** A customer whose registration event has been applied (a profile exists). */
export async function newCustomer(db: ScratchDatabase): Promise<string> {
  const userId = newId();
  const em = db.orm.em.fork();
  em.create(UserProfile, { userId, email: `${userId}@example.com`, firstName: 'Ada', lastName: 'Lovelace' });
  await em.flush();
  return userId;
}

export async function countRows(db: ScratchDatabase, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await db.orm.em
    .fork()
    .execute<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return row!.n;
}

/** How a call that must fail failed: its status, message, field violations (none: []) and reason. */
export interface Failure {
  code: AppError['code'];
  message: string;
  violations: FieldViolation[];
  reason?: string;
}

export async function failureOf(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const failure: Failure = {
      code: error.code,
      message: error.message,
      violations: [...(error.violations ?? [])],
    };
    if (error.reason) failure.reason = error.reason;
    return failure;
  }
  throw new Error('expected the call to fail');
}
