import { PGliteKnexDialect } from 'mikro-orm-pglite';

/** What knex hands a dialect's `_query`: the SQL, its bindings, and where the response goes. */
interface KnexQuery {
  sql: string;
  bindings?: readonly unknown[];
  response?: unknown;
}

interface PGliteConnection {
  query(sql: string, params: readonly unknown[]): Promise<unknown>;
  exec(sql: string): Promise<unknown>;
}

/** PostgreSQL's refusal of a text of several statements as one prepared query. */
function isSeveralCommands(error: unknown): boolean {
  return (
    error instanceof Error && /cannot insert multiple commands into a prepared statement/.test(error.message)
  );
}

/*
 * knex-pglite sends a raw query to PGlite's `exec` (several statements: no parameters, a list of
 * results) whenever its text splits on `;` into several parts, which it also does when the `;` is
 * inside a value: `em.execute` writes the values into the text, so an address line "Flat 2; back
 * door" made a statement answer a list of results instead of its rows (callers read `undefined`,
 * and the caller got INTERNAL while the change was made). Here every query goes to `query` (one
 * statement, its parameters, its rows), as on PostgreSQL; only a text PostgreSQL itself refuses as
 * several commands goes to `exec` (outside a transaction: the refusal aborts one; no code of ours
 * sends such a text through the ORM).
 */
async function queryOnce(connection: PGliteConnection, query: KnexQuery): Promise<KnexQuery> {
  try {
    query.response = await connection.query(query.sql, query.bindings ?? []);
  } catch (error) {
    if (!isSeveralCommands(error) || (query.bindings?.length ?? 0) > 0) throw error;
    query.response = await connection.exec(query.sql);
  }
  return query;
}

(PGliteKnexDialect.prototype as unknown as { _query: typeof queryOnce })._query = queryOnce;
