import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { loadProcessSettings } from '../config/process-settings.js';
import { rootLogger } from '../log.js';

const log = rootLogger.child({ component: 'pglite' });

/**
 * Small buffers: ten embedded databases share one process, and the defaults would take ~1.8 GB.
 * With these the ten stay near 0.6 GB (BENCHMARKS.md, embedded start).
 */
const EMBEDDED_POSTGRES_CONF = ['shared_buffers = 16MB', 'work_mem = 4MB', 'maintenance_work_mem = 16MB'];

/** The project root, from source (lib/db) or compiled output (dist/lib/db) alike. */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/dist\/$/, '/');

/** Bumped whenever `buildTemplateIfMissing` makes a different template, so that a new one is built. */
const TEMPLATE_RECIPE = 2;

/**
 * Where the initialised template lives: PGLITE_TEMPLATE_DIR, else node_modules/.cache, named after
 * the installed PGlite version and the recipe so that an upgrade or a new recipe builds a new one.
 */
function templateDir(): string {
  const configured = loadProcessSettings(process.env).pgliteTemplateDir;
  if (configured) return resolve(configured);
  const manifest = join(PROJECT_ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return join(
    PROJECT_ROOT,
    'node_modules',
    '.cache',
    'ecommerce',
    `pglite-${version}-template-r${TEMPLATE_RECIPE}`,
  );
}

let templateReady: Promise<string> | undefined;

/**
 * A fresh PGlite data directory costs an initdb (several seconds each). We pay it once per
 * machine and PGlite version: the first database is initialised into the template folder and every
 * new database starts as a copy of it (`make build` prepares it, so even a first `make run` only
 * copies). The template is built in a temporary folder and renamed into place, so a crash
 * mid-initdb never leaves a half-made template behind.
 *
 * A first start writes ten copies, so the template holds only what a service's database uses:
 * 9 MB in ~370 files instead of initdb's 39 MB in ~970. Its WAL segments are 1 MB instead of
 * 16 MB (initdb's option; a segment is mostly zeros here) and none are kept for reuse; template0
 * and template1 are dropped, since they only serve CREATE DATABASE and a service's database is
 * the instance's `postgres` (lib/db/orm.ts).
 */
export function ensureTemplate(): Promise<string> {
  templateReady ??= buildTemplateIfMissing().catch((error: unknown) => {
    templateReady = undefined; // the next caller tries again
    throw error;
  });
  return templateReady;
}

async function buildTemplateIfMissing(): Promise<string> {
  const template = templateDir();
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  mkdirSync(dirname(template), { recursive: true });
  const building = `${template}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const db = await PGlite.create({
    dataDir: building,
    initDbStartParams: ['--wal-segsize=1', '-c', 'wal_recycle=off'],
    postgresqlconf: EMBEDDED_POSTGRES_CONF,
  });
  for (const name of ['template0', 'template1']) {
    await db.exec(`ALTER DATABASE ${name} IS_TEMPLATE false`);
    await db.exec(`DROP DATABASE ${name}`);
  }
  // A checkpoint in a new segment deletes all the WAL before it, and keeps none for reuse.
  await db.exec('SET wal_recycle = off; SELECT pg_switch_wal(); CHECKPOINT');
  await db.close();
  rmSync(template, { recursive: true, force: true });
  renameSync(building, template);
  return template;
}

/**
 * PGlite compiles its WASM module and unpacks its file bundle for every instance (1–3 s each).
 * Ten databases in one process share one compiled module and one bundle instead, which takes an
 * open from seconds to about a quarter of one.
 */
type SharedRuntime = Required<Pick<PGliteOptions, 'pgliteWasmModule' | 'fsBundle'>>;
// Node has WebAssembly globally; the DOM typings that declare it are not part of this project.
const { WebAssembly: wasm } = globalThis as unknown as {
  WebAssembly: { compile(bytes: Uint8Array): Promise<SharedRuntime['pgliteWasmModule']> };
};
let shared: Promise<SharedRuntime> | undefined;

/**
 * PGlite reads its file bundle (PostgreSQL's share/ and lib/ folders, 6 MB) with `arrayBuffer()`
 * and its in-memory file system keeps views into that buffer, files nothing writes to. A plain
 * Blob gives each instance its own copy; this one gives all of them the same bytes (60 MB less
 * for ten databases).
 */
class SharedBundle extends Blob {
  #bytes: Promise<ArrayBuffer> | undefined;

  override arrayBuffer(): Promise<ArrayBuffer> {
    return (this.#bytes ??= super.arrayBuffer());
  }
}

function sharedRuntime(): Promise<SharedRuntime> {
  shared ??= (async () => {
    const dist = join(PROJECT_ROOT, 'node_modules', '@electric-sql', 'pglite', 'dist');
    return {
      pgliteWasmModule: await wasm.compile(readFileSync(join(dist, 'pglite.wasm'))),
      fsBundle: new SharedBundle([readFileSync(join(dist, 'pglite.data'))]),
    };
  })();
  return shared;
}

const preparing = new Map<string, Promise<void>>();

/**
 * Makes sure `<dataDir>/<name>` holds a data directory, copying the template when it does not.
 * The copy is asynchronous and remembered: a mesh asks for every copy at once, and the thread pool
 * works through them in that order (each queues all its files at once), so the first service's
 * database is ready first and each service only waits for its own while the services before it
 * open their databases and migrate on the main thread.
 */
export function prepareEmbeddedDatabase(dataDir: string, name: string): Promise<void> {
  const dir = join(resolve(dataDir), name);
  let pending = preparing.get(dir);
  if (!pending) {
    pending = createFromTemplate(dir).finally(() => preparing.delete(dir));
    preparing.set(dir, pending);
  }
  return pending;
}

async function createFromTemplate(dir: string): Promise<void> {
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  const template = await ensureTemplate();
  // Copied beside its final place and renamed into it, so an interrupted copy is never taken
  // for a database.
  const copying = `${dir}.copying-${process.pid}`;
  rmSync(copying, { recursive: true, force: true });
  await copyTree(template, copying);
  rmSync(dir, { recursive: true, force: true });
  renameSync(copying, dir);
  log.info({ dir }, 'created embedded database');
}

/** A folder's subfolders (parents first) and files, relative to it. */
interface Tree {
  folders: string[];
  files: string[];
}
const trees = new Map<string, Tree>();

function listTree(root: string, under = '', tree: Tree = { folders: [], files: [] }): Tree {
  for (const entry of readdirSync(join(root, under), { withFileTypes: true })) {
    const path = join(under, entry.name);
    if (entry.isDirectory()) {
      tree.folders.push(path);
      listTree(root, path, tree);
    } else {
      tree.files.push(path);
    }
  }
  return tree;
}

/**
 * Copies the template into `dest` (which must not exist). Unlike fs.cp, which looks at both sides
 * of every file and then sets its mode (~5 calls a file, each a turn of the main thread), this
 * lists the template once per process, makes its two dozen folders at once and queues one
 * copyFile a file (which keeps the mode).
 */
async function copyTree(template: string, dest: string): Promise<void> {
  let tree = trees.get(template);
  if (!tree) trees.set(template, (tree = listTree(template)));
  mkdirSync(dest, { recursive: true });
  for (const folder of tree.folders) mkdirSync(join(dest, folder));
  await Promise.all(tree.files.map((file) => copyFile(join(template, file), join(dest, file))));
}

/** Opens (creating if missing) the embedded database `<dataDir>/<name>`. */
export async function openEmbeddedDatabase(dataDir: string, name: string): Promise<PGlite> {
  await prepareEmbeddedDatabase(dataDir, name);
  return PGlite.create({
    dataDir: join(resolve(dataDir), name),
    postgresqlconf: EMBEDDED_POSTGRES_CONF,
    ...(await sharedRuntime()),
  });
}
