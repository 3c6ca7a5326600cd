import type { EntityManager, Knex } from '@mikro-orm/postgresql';

/**
 * Runs one statement with its values sent as parameters (`?` with an array, or `:name` with an
 * object), as a named prepared statement on the ORM's own pool: PostgreSQL parses and plans it
 * once per connection, then only executes it.
 *
 * `em.execute` writes the values into the SQL text (MikroORM formats every statement that way), so
 * PostgreSQL parses and plans each call afresh. For a small statement that costs little; for a
 * large one (a writable CTE doing a whole operation) planning is most of its time. This is for
 * those few hot statements: `name` must always go with the same text. It runs in `em`'s
 * transaction when there is one, and fails with MikroORM's exceptions
 * (`UniqueConstraintViolationException`, …) like `em.execute`. Embedded PGlite has no named
 * statements: there it is a parameterised query.
 */
export async function executePrepared<T>(
  em: EntityManager,
  name: string,
  sql: string,
  params: readonly Knex.RawBinding[] | Knex.ValueDict,
): Promise<T[]> {
  // MikroORM's onQuery hook sees (and may rewrite) every statement, as with em.execute.
  const text = em.config.get('onQuery')(sql, params as unknown[]);
  const query = em.getKnex().raw(text, params).options({ name });
  const transaction = em.getTransactionContext();
  if (transaction) query.transacting(transaction);
  try {
    const result = (await query) as { rows: T[] };
    return result.rows;
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}
