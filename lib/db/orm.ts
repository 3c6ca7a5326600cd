import { MikroORM, PostgreSqlDriver, type EntitySchema, type Options } from '@mikro-orm/postgresql';
import type { MigrationObject } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PGliteDriver } from 'mikro-orm-pglite';
import type { PGlite } from '@electric-sql/pglite';
import { readDatabaseTuning } from '../config/process-settings.js';
import { rootLogger } from '../log.js';
import { openEmbeddedDatabase } from './pglite.js';
import './pglite-queries.js';
import { INFRA_MIGRATIONS } from './infra-migrations.js';
import { ensureDatabaseExists } from './create-database.js';

export type { MikroORM };
export type { EntityManager } from '@mikro-orm/postgresql';

/** What a service hands to the database bootstrap: its entities and its ordered migrations. */
export interface DatabaseDefinition {
  /** `<service>_db`; the embedded folder has the same name. */
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities: EntitySchema<any, any>[];
  migrations: MigrationObject[];
  /** Tables range-partitioned by month on created_at; the host keeps their partitions ahead. */
  partitionedTables?: readonly string[];
}

export interface DatabaseLocation {
  /** A PostgreSQL URL for this database; undefined means embedded PGlite under dataDir. */
  url: string | undefined;
  dataDir: string;
}

export interface Database {
  orm: MikroORM;
  /** True when running on embedded PGlite (one connection: never open a second inside a transaction). */
  embedded: boolean;
  close(): Promise<void>;
}

const MIGRATION_TABLE = 'infra.mikro_orm_migrations';

function baseOptions(definition: DatabaseDefinition): Options {
  return {
    entities: definition.entities,
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    migrations: {
      tableName: MIGRATION_TABLE,
      migrationsList: [...INFRA_MIGRATIONS, ...definition.migrations],
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
    },
    forceUtcTimezone: true,
    // Fill ids and timestamps in em.create, not at flush, so a new entity's id can be used at once.
    processOnCreateHooksEarly: true,
    // Each request forks its own EntityManager; the global one is never used for work.
    allowGlobalContext: false,
    debug: readDatabaseTuning(process.env).debug,
    logger: (message) => rootLogger.debug({ component: 'mikro-orm', database: definition.name }, message),
  };
}

/**
 * Opens a service's database: PostgreSQL when a URL is given (creating the database if it does not
 * exist), embedded PGlite otherwise. The caller decides whether to migrate (see `migrateDatabase`).
 */
export async function openDatabase(
  definition: DatabaseDefinition,
  location: DatabaseLocation,
): Promise<Database> {
  if (location.url) {
    await ensureDatabaseExists(location.url);
    const orm = await MikroORM.init({
      ...baseOptions(definition),
      driver: PostgreSqlDriver,
      clientUrl: location.url,
      pool: { min: 0, max: readDatabaseTuning(process.env).poolMax },
    });
    return { orm, embedded: false, close: () => orm.close(true) };
  }
  const pglite: PGlite = await openEmbeddedDatabase(location.dataDir, definition.name);
  const orm = await MikroORM.init({
    ...baseOptions(definition),
    driver: PGliteDriver,
    // The PGlite instance is one database, `postgres`, and the folder is what names the service's.
    // Under another name MikroORM (the migrator too) would look for it, not find it and CREATE
    // DATABASE it: an unused copy of template1 (7 MB, 0.3-0.5 s) on every first start.
    dbName: 'postgres',
    driverOptions: { connection: { pglite: () => pglite } },
    pool: { min: 1, max: 1 },
  } as unknown as Options);
  return {
    orm,
    embedded: true,
    close: async () => {
      await orm.close(true);
      if (!pglite.closed) await pglite.close();
    },
  };
}

/** Applies every pending migration (the `infra` schema first, then the service's own). */
export async function migrateDatabase(database: Database): Promise<string[]> {
  const applied = await database.orm.getMigrator().up();
  return applied.map((migration) => migration.name);
}
