import { databaseUrlFor, isServiceName } from '../lib/config/index.js';
import { migrateDatabase, openDatabase } from '../lib/db/index.js';
import { ALL_SERVICES } from '../services/registry.js';

// `make migrate [SERVICES="auth user"]`: creates (if missing) and migrates each service database
// on the PostgreSQL server of DATABASE_URL (or the service's own <SERVICE>_DATABASE_URL).
const names = process.argv.slice(2);
const unknown = names.filter((name) => !isServiceName(name));
if (unknown.length > 0) {
  console.error(`unknown service(s): ${unknown.join(', ')}`);
  process.exit(2);
}
const modules = names.length === 0 ? ALL_SERVICES : ALL_SERVICES.filter((m) => names.includes(m.name));

for (const module of modules) {
  const url = databaseUrlFor(module.name, process.env);
  if (!url) {
    console.error(
      'DATABASE_URL is not set: migrate works on PostgreSQL (embedded databases migrate on start)',
    );
    process.exit(2);
  }
  const database = await openDatabase(module.database, { url, dataDir: '' });
  try {
    const applied = await migrateDatabase(database);
    console.log(
      `${module.database.name}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`,
    );
  } finally {
    await database.close();
  }
}
