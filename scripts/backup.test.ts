/**
 * A real round trip through scripts/backup-databases.sh and scripts/restore-database.sh against
 * PostgreSQL (DATABASE_URL, default the local server): a scratch database with tables, a second
 * schema, a sequence and awkward values is dumped, restored into another scratch database and
 * compared, then both are dropped. Needs pg_dump, pg_restore and psql on PATH.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const REPO_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const SOURCE = `backup_rt_src_${suffix}`;
const TARGET = `backup_rt_dst_${suffix}`;
const OWNER = `backup_rt_owner_${suffix}`;

function urlOf(database: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

function run(command: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function psql(database: string, sql: string): string {
  const result = run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', urlOf(database), '-c', sql]);
  if (result.status !== 0) throw new Error(`psql on ${database} failed: ${result.stderr}`);
  return result.stdout;
}

function script(name: string, args: string[], env: Record<string, string> = {}) {
  return run('bash', [join(REPO_DIR, 'scripts', name), ...args], env);
}

/** A plain-text dump without owners and without pg_dump's per-run `\restrict` keys. */
function plainDump(database: string): string {
  const result = run('pg_dump', ['--no-owner', '--no-acl', '--dbname', urlOf(database)]);
  if (result.status !== 0) throw new Error(`pg_dump of ${database} failed: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((line) => !/^\\(un)?restrict /.test(line))
    .join('\n');
}

function databaseExists(database: string): boolean {
  return psql('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${database}'`).trim() === '1';
}

describe('backup and restore scripts (real PostgreSQL)', () => {
  let folder = '';
  let toolsFound = false;

  before(() => {
    for (const tool of ['pg_dump', 'pg_restore', 'psql']) {
      const found = spawnSync(tool, ['--version'], { encoding: 'utf8' });
      if (found.error || found.status !== 0) {
        throw new Error(
          `${tool} is not on PATH: the backup round trip needs the PostgreSQL client tools ` +
            `(pg_dump, pg_restore, psql; apt-get install postgresql-client)`,
        );
      }
    }
    toolsFound = true;
    const reachable = run('psql', ['-X', '-At', '-d', urlOf('postgres'), '-c', 'SELECT 1']);
    if (reachable.status !== 0) {
      throw new Error(`PostgreSQL at ${SERVER_URL} is not reachable (set DATABASE_URL): ${reachable.stderr}`);
    }
    folder = mkdtempSync(join(tmpdir(), 'backup-roundtrip-'));
    psql('postgres', `CREATE ROLE ${OWNER} NOLOGIN`);
    psql('postgres', `CREATE DATABASE ${SOURCE}`);
    psql(
      SOURCE,
      `CREATE SCHEMA infra;
       CREATE TABLE infra.outbox (id uuid PRIMARY KEY, envelope bytea NOT NULL, created_at timestamptz NOT NULL);
       CREATE TABLE orders (
         id bigserial PRIMARY KEY,
         reference text NOT NULL UNIQUE,
         total numeric(12, 2) NOT NULL CHECK (total >= 0),
         details jsonb,
         note text
       );
       CREATE INDEX orders_details_idx ON orders USING gin (details);
       CREATE VIEW big_orders AS SELECT id, reference FROM orders WHERE total > 100;
       INSERT INTO orders (reference, total, details, note) VALUES
         ('A-1', 12.50, '{"lines": [1, 2]}', 'plain'),
         ('B-2', 1234.00, NULL, E'tab\\there, quote '' and newline\\nend'),
         ('C-3', 0, '{"name": "Zoë ✓"}', NULL);
       DELETE FROM orders WHERE reference = 'A-1';
       INSERT INTO infra.outbox VALUES
         ('0190a5c4-0000-7000-8000-000000000001', '\\x00ff10', '2025-01-02T03:04:05Z');
       ALTER TABLE infra.outbox OWNER TO ${OWNER};`,
    );
  });

  after(() => {
    if (!toolsFound) return;
    if (folder) rmSync(folder, { recursive: true, force: true });
    for (const database of [SOURCE, TARGET]) {
      run('psql', [
        '-X',
        '-q',
        '-d',
        urlOf('postgres'),
        '-c',
        `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`,
      ]);
    }
    run('psql', ['-X', '-q', '-d', urlOf('postgres'), '-c', `DROP ROLE IF EXISTS ${OWNER}`]);
  });

  it('dumps with pg_dump -Fc, reaching the database through a server URL with a path and parameters', () => {
    const result = script('backup-databases.sh', [`${urlOf('postgres')}?sslmode=disable`, folder, SOURCE]);
    expect(result.status, result.stderr).to.equal(0);
    const dump = readFileSync(join(folder, `${SOURCE}.dump`));
    expect(dump.subarray(0, 5).toString()).to.equal('PGDMP'); // the custom format's magic
    expect(readFileSync(join(folder, 'SHA256SUMS'), 'utf8')).to.match(
      new RegExp(`^[0-9a-f]{64}  ${SOURCE}\\.dump$`, 'm'),
    );
  });

  it('restores into a new database that matches the original, schema, data and sequences', () => {
    const result = script('restore-database.sh', [SERVER_URL, folder, SOURCE, TARGET]);
    expect(result.status, result.stderr).to.equal(0);
    expect(plainDump(TARGET)).to.equal(plainDump(SOURCE));
    const rows = 'SELECT id, reference, total, details, note FROM orders ORDER BY id';
    expect(psql(TARGET, rows)).to.equal(psql(SOURCE, rows));
    expect(psql(TARGET, "SELECT nextval('orders_id_seq')")).to.equal(
      psql(SOURCE, "SELECT nextval('orders_id_seq')"),
    );
    expect(psql(TARGET, 'SELECT tableowner FROM pg_tables WHERE tablename = $$outbox$$').trim()).to.equal(
      OWNER,
    );
  });

  it('refuses to restore over a database that has tables', () => {
    const before = plainDump(TARGET);
    const result = script('restore-database.sh', [SERVER_URL, folder, SOURCE, TARGET]);
    expect(result.status).to.not.equal(0);
    expect(result.stderr).to.contain('is not empty');
    expect(plainDump(TARGET)).to.equal(before);
  });

  it('keeps nothing when the restore fails, and NO_OWNER=1 restores without the missing role', () => {
    psql('postgres', `DROP DATABASE ${TARGET} WITH (FORCE)`);
    psql(SOURCE, `ALTER TABLE infra.outbox OWNER TO CURRENT_USER`);
    psql('postgres', `DROP ROLE ${OWNER}`); // the dump still names it as the owner of infra.outbox

    const failed = script('restore-database.sh', [SERVER_URL, folder, SOURCE, TARGET]);
    expect(failed.status).to.not.equal(0);
    expect(failed.stderr).to.contain(`role "${OWNER}" does not exist`);
    expect(databaseExists(TARGET), 'the database the failed restore created is dropped').to.equal(false);

    const restored = script('restore-database.sh', [SERVER_URL, folder, SOURCE, TARGET], { NO_OWNER: '1' });
    expect(restored.status, restored.stderr).to.equal(0);
    expect(psql(TARGET, 'SELECT count(*) FROM orders').trim()).to.equal('2');
  });

  it('refuses a dump that does not match its checksum', () => {
    const path = join(folder, `${SOURCE}.dump`);
    const dump = readFileSync(path);
    dump.writeUInt8(dump.readUInt8(dump.length - 1) ^ 0xff, dump.length - 1);
    writeFileSync(path, dump);
    const result = script('restore-database.sh', [SERVER_URL, folder, SOURCE, `${TARGET}_x`]);
    expect(result.status).to.not.equal(0);
    expect(result.stderr).to.contain('does not match its checksum');
    expect(databaseExists(`${TARGET}_x`)).to.equal(false);
  });

  it('fails, naming it, when a database cannot be dumped, and keeps the earlier good dump', () => {
    const missing = `backup_rt_missing_${suffix}`;
    const result = script('backup-databases.sh', [SERVER_URL, folder, missing]);
    expect(result.status).to.not.equal(0);
    expect(result.stderr).to.contain(`FAILED to dump ${missing}`);
    expect(
      readFileSync(join(folder, `${SOURCE}.dump`))
        .subarray(0, 5)
        .toString(),
    ).to.equal('PGDMP');
  });
});
