import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { rootLogger } from '../log.js';

const log = rootLogger.child({ component: 'pglite' });

/**
 * Small buffers: ten embedded databases share one process, and the defaults would take ~1.8 GB.
 * With these the ten stay near 0.6 GB (FINDINGS.md).
 */
const EMBEDDED_POSTGRES_CONF = ['shared_buffers = 16MB', 'work_mem = 4MB', 'maintenance_work_mem = 16MB'];

const TEMPLATE_DIR_NAME = '.template';

/**
 * A fresh PGlite data directory costs an initdb (2–3 s each). We pay it once per data folder:
 * the first database is initialised into `<dataDir>/.template` and every new database starts as
 * a copy of it. The template is built in a temporary folder and renamed into place, so a crash
 * mid-initdb never leaves a half-made template behind.
 */
async function ensureTemplate(dataDir: string): Promise<string> {
  const template = join(dataDir, TEMPLATE_DIR_NAME);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const building = `${template}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const db = await PGlite.create({ dataDir: building, postgresqlconf: EMBEDDED_POSTGRES_CONF });
  await db.close();
  rmSync(template, { recursive: true, force: true });
  renameSync(building, template);
  return template;
}

/** Opens (creating if missing) the embedded database `<dataDir>/<name>`. */
export async function openEmbeddedDatabase(dataDir: string, name: string): Promise<PGlite> {
  const root = resolve(dataDir);
  mkdirSync(root, { recursive: true });
  const dir = join(root, name);
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    const template = await ensureTemplate(root);
    rmSync(dir, { recursive: true, force: true });
    cpSync(template, dir, { recursive: true });
    log.info({ database: name, dir }, 'created embedded database');
  }
  return PGlite.create({ dataDir: dir, postgresqlconf: EMBEDDED_POSTGRES_CONF });
}
