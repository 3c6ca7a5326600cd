import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../../lib/db/orm.js';
import type { ServiceModule } from '../../lib/runtime/service-module.js';
import { readDatabaseSchema, type DatabaseSchema } from './catalog.js';

export interface ServiceSchema {
  service: string;
  database: DatabaseSchema;
}

/**
 * Migrates every service's database into a throw-away embedded database and reads back what the
 * migrations built. Always embedded (whatever DATABASE_URL says), so the documentation does not
 * depend on which PostgreSQL a developer has: `pg_get_constraintdef` and friends print the same
 * text for the same schema.
 */
export async function readMigratedSchemas(modules: ServiceModule[]): Promise<ServiceSchema[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'db-docs-'));
  try {
    const result: ServiceSchema[] = [];
    for (const module of modules) {
      const database = await openDatabase(module.database, { url: undefined, dataDir });
      try {
        await migrateDatabase(database);
        result.push({
          service: module.name,
          database: await readDatabaseSchema(database.orm.em.fork(), module.database.name),
        });
      } finally {
        await database.close();
      }
    }
    return result;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
