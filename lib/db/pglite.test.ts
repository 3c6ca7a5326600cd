import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { PGlite } from '@electric-sql/pglite';
import { ensureTemplate, openEmbeddedDatabase, prepareEmbeddedDatabase } from './pglite.js';

/** Every path under `dir` with its type, mode and size. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((path) => {
      const stat = statSync(join(dir, path));
      return `${path} ${stat.isDirectory() ? 'dir' : 'file'} ${stat.mode.toString(8)} ${stat.isFile() ? stat.size : 0}`;
    })
    .sort();
}

/** What the test reads of Emscripten's in-memory file system inside PGlite. */
interface MemoryFs {
  lookupPath(path: string): { node: { contents: Uint8Array } };
}

/** Bytes of every file under `dir`. */
function sizeOf(dir: string): number {
  return listing(dir).reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('lib/db/pglite: the embedded database template', function () {
  this.timeout(120_000);
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pglite-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds one database and one 1 MB WAL segment, nothing a first start need not copy', async () => {
    const template = await ensureTemplate();
    expect(readdirSync(join(template, 'base'))).to.have.length(1);
    const segments = readdirSync(join(template, 'pg_wal')).filter((name) => /^[0-9A-F]{24}$/.test(name));
    expect(segments).to.have.length(1);
    expect(statSync(join(template, 'pg_wal', segments[0]!)).size).to.equal(1024 * 1024);
    expect(sizeOf(template)).to.be.below(12 * 1024 * 1024);
  });

  it('a copy is the template, folder for folder and file for file, modes included', async () => {
    await prepareEmbeddedDatabase(dataDir, 'copy_db');
    expect(listing(join(dataDir, 'copy_db'))).to.deep.equal(listing(await ensureTemplate()));
  });

  it('a copy opens, writes, and keeps what it committed across a close and reopen', async () => {
    let db = await openEmbeddedDatabase(dataDir, 'copy_db');
    const databases = await db.query<{ datname: string }>('SELECT datname FROM pg_database');
    expect(databases.rows.map((row) => row.datname)).to.deep.equal(['postgres']);
    expect((await db.query<{ wal_segment_size: string }>('SHOW wal_segment_size')).rows[0]).to.deep.equal({
      wal_segment_size: '1MB',
    });
    // More WAL than a few segments: segment switches on a copy work.
    await db.exec(`CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);
      INSERT INTO notes SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 5000) g;`);
    await db.close();

    db = await openEmbeddedDatabase(dataDir, 'copy_db');
    const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM notes');
    expect(count.rows[0]!.n).to.equal(5000);
    await db.close();
  });

  it('databases of one process share the bytes of PostgreSQL share/ files (white box)', async () => {
    const first = await openEmbeddedDatabase(dataDir, 'first_db');
    const second = await openEmbeddedDatabase(dataDir, 'second_db');
    try {
      const bytesOf = (db: PGlite): ArrayBufferLike => {
        const { FS } = (db as unknown as { mod: { FS: MemoryFs } }).mod;
        return FS.lookupPath('/pglite/share/postgresql/timezone/Europe/Paris').node.contents.buffer;
      };
      expect(bytesOf(first)).to.equal(bytesOf(second));
      // Both read their time zone files.
      for (const db of [first, second]) {
        const at = await db.query<{ at: string }>(
          `SELECT (timestamptz '2026-07-01 12:00:00+00' AT TIME ZONE 'Europe/Paris')::text AS at`,
        );
        expect(at.rows[0]!.at).to.equal('2026-07-01 14:00:00');
      }
    } finally {
      await first.close();
      await second.close();
    }
  });
});
