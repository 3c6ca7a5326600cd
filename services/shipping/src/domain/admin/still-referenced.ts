import { DriverException, ForeignKeyConstraintViolationException } from '@mikro-orm/postgresql';

/** restrict_violation: an ON DELETE RESTRICT foreign key (MikroORM has no exception class for it). */
const RESTRICT_VIOLATION = '23001';

/** True when the database refused a delete because other rows still point at the row. */
export function isStillReferenced(error: unknown): boolean {
  if (error instanceof ForeignKeyConstraintViolationException) return true;
  return error instanceof DriverException && (error.sqlState ?? error.code) === RESTRICT_VIOLATION;
}
