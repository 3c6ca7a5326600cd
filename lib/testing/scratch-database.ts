import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrateDatabase, openDatabase, type Database, type DatabaseDefinition } from '../db/orm.js';

/** A throw-away migrated database for a test, on the same engine the suite runs against. */
export interface ScratchDatabase extends Database {
  name: string;
  /** Closes it and deletes it (the PostgreSQL database, or the embedded folder). */
  drop(): Promise<void>;
}

let embeddedRoot: string | undefined;
let counter = 0;

/**
 * Real PostgreSQL when DATABASE_URL is set (a database with a unique name, dropped by `drop`),
 * embedded PGlite otherwise (one temporary folder per process, so the initdb template is paid once).
 */
export async function openScratchDatabase(
  prefix: string,
  definition: Partial<Omit<DatabaseDefinition, 'name'>> = {},
): Promise<ScratchDatabase> {
  const name =
    `${prefix}_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  const server = process.env.DATABASE_URL;
  let url: string | undefined;
  if (server) {
    const target = new URL(server);
    target.pathname = `/${name}`;
    url = target.toString();
  } else if (!embeddedRoot) {
    const root = mkdtempSync(join(tmpdir(), 'scratch-db-'));
    embeddedRoot = root;
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  const database = await openDatabase(
    { name, entities: definition.entities ?? [], migrations: definition.migrations ?? [] },
    { url, dataDir: embeddedRoot ?? tmpdir() },
  );
  await migrateDatabase(database);
  return {
    ...database,
    name,
    drop: async () => {
      await database.close();
      if (server) await dropPostgresDatabase(server, name);
      else rmSync(join(embeddedRoot!, name), { recursive: true, force: true });
    },
  };
}

async function dropPostgresDatabase(server: string, name: string): Promise<void> {
  const admin = new URL(server);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
