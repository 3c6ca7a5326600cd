import type { MikroORM } from '@mikro-orm/postgresql';

/**
 * What `work` answered, and the statements it sent through `orm` while it ran, each by its first
 * two words ('BEGIN;', 'WITH lines', 'UPDATE inventory', 'COMMIT;'), in order: for tests of how
 * many round trips a piece of work takes, or which way it went.
 */
export async function statementsSent<T>(
  orm: MikroORM,
  work: () => Promise<T>,
): Promise<{ statements: string[]; answer: T }> {
  const knex = orm.em.getKnex();
  const statements: string[] = [];
  const listener = (query: { sql: string }) =>
    statements.push(query.sql.trim().split(/\s+/).slice(0, 2).join(' '));
  knex.on('query', listener);
  try {
    return { statements, answer: await work() };
  } finally {
    knex.removeListener('query', listener);
  }
}
