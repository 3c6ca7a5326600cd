import pg from 'pg';

const SAFE_NAME = /^[a-z_][a-z0-9_]*$/;

/** Runs `work` on a connection to the server's `postgres` database (where databases are made). */
async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function checkedName(name: string): string {
  if (!SAFE_NAME.test(name)) throw new Error(`refusing database name "${name}"`);
  return name;
}

/**
 * Creates the database named in `url` on its server when it does not exist yet. Two processes
 * racing to create it is fine: the loser's "already exists" is taken as success.
 */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const name = checkedName(decodeURIComponent(new URL(url).pathname.replace(/^\//, '')));
  await onServer(url, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      // 42P04 duplicate_database; 23505 when two CREATE DATABASE race on pg_database's unique index.
      if (code !== '42P04' && code !== '23505') throw error;
    }
  });
}

/** Drops databases on the server of `serverUrl` (disconnecting their sessions); missing ones are fine. */
export async function dropDatabases(serverUrl: string, names: readonly string[]): Promise<void> {
  await onServer(serverUrl, async (client) => {
    for (const name of names)
      await client.query(`DROP DATABASE IF EXISTS "${checkedName(name)}" WITH (FORCE)`);
  });
}
