import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabases } from '../db/create-database.js';
import { migrateDatabase, openDatabase, type Database, type DatabaseDefinition } from '../db/orm.js';

/** A throw-away migrated database for a test, on the same engine the suite runs against. */
export interface ScratchDatabase extends Database {
  name: string;
  /** Closes it and deletes it (the PostgreSQL database, or the embedded folder). */
  drop(): Promise<void>;
}

let embeddedRoot: string | undefined;
let counter = 0;
/** Scratch databases opened and not dropped yet (by name). */
const undropped = new Set<string>();

/**
 * Required by `.mocharc.json`: a run that leaves a scratch database behind (a suite that closes
 * it instead of dropping it, or forgets it) fails at its end, naming them, rather than filling the
 * developer's PostgreSQL server or temporary folder run after run.
 */
export const mochaHooks = {
  afterAll(): void {
    if (undropped.size === 0) return;
    throw new Error(
      `scratch databases left behind (drop() them in an after hook): ${[...undropped].join(', ')}`,
    );
  },
};

/**
 * Embedded scratch databases live in one folder per PGlite version that outlives the run, so the
 * initdb template (~10 s) is built once per machine rather than once per test process. Each
 * database is deleted when dropped; those of dead processes (a killed run) are swept on first use.
 */
function scratchRoot(): string {
  if (embeddedRoot) return embeddedRoot;
  let version = 'unknown';
  try {
    const manifest = new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url);
    version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    // A different layout (compiled output): fall back to one shared folder.
  }
  const root = join(tmpdir(), `scratch-pglite-${version}`);
  mkdirSync(root, { recursive: true });
  for (const entry of readdirSync(root)) {
    const pid = Number(/_(\d+)_\d+_[a-z0-9]+$/.exec(entry)?.[1]);
    if (pid && pid !== process.pid && !isAlive(pid))
      rmSync(join(root, entry), { recursive: true, force: true });
  }
  embeddedRoot = root;
  return root;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Real PostgreSQL when DATABASE_URL is set (a database with a unique name, dropped by `drop`),
 * embedded PGlite otherwise (see `scratchRoot`).
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
  }
  const dataDir = server ? tmpdir() : scratchRoot();
  const database = await openDatabase(
    { name, entities: definition.entities ?? [], migrations: definition.migrations ?? [] },
    { url, dataDir },
  );
  const drop = async () => {
    undropped.delete(name);
    await database.close();
    if (server) await dropDatabases(server, [name]);
    else rmSync(join(dataDir, name), { recursive: true, force: true });
  };
  undropped.add(name);
  await migrateDatabase(database).catch(async (error: unknown) => {
    await drop();
    throw error;
  });
  return {
    ...database,
    name,
    drop,
  };
}
