import pg from 'pg';

/**
 * Creates the database named in `url` on its server when it does not exist yet, connecting to the
 * server's `postgres` database to do it. Two processes racing to create it is fine: the loser's
 * "already exists" is taken as success.
 */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[a-z_][a-z0-9_]*$/.test(name))
    throw new Error(`refusing to create database with unsafe name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      // 42P04 duplicate_database; 23505 when two CREATE DATABASE race on pg_database's unique index.
      if (code !== '42P04' && code !== '23505') throw error;
    }
  } finally {
    await client.end();
  }
}
