import { ConfigError, loadServiceConfig } from '../lib/config/index.js';
import { migrateDatabase, openDatabase } from '../lib/db/index.js';
import { ALL_SERVICES } from '../services/registry.js';

// `make seed`: loads the demo store into the databases the configuration points at (DATABASE_URL or
// <SERVICE>_DATABASE_URL; embedded PGlite under DATA_DIR otherwise), migrating them first. Safe to
// run again: rows that exist (by slug, SKU, code, name, email) are left alone. Embedded databases
// can only be open in one process: stop `make run` before seeding them.
const notices: string[] = [];
try {
  for (const module of ALL_SERVICES) {
    const seed = module.seed;
    if (!seed) continue;
    const config = loadServiceConfig(module.name);
    // Demo coupons, carriers and an admin account have no place in a production database.
    if (config.production)
      throw new ConfigError('NODE_ENV', 'is production: `make seed` loads demo data, never into production');
    const database = await openDatabase(module.database, {
      url: config.databaseUrl,
      dataDir: config.dataDir,
    });
    try {
      await migrateDatabase(database);
      const result = await seed(database.orm, process.env);
      const counts = Object.entries(result.inserted)
        .map(([table, rows]) => `${table} +${rows}`)
        .join(', ');
      console.log(`${module.database.name.padEnd(16)} ${counts}`);
      notices.push(...result.notices);
    } finally {
      await database.close();
    }
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
for (const notice of notices) console.log(`\n${notice}`);
