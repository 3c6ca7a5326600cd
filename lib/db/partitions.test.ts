import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { Migration } from '@mikro-orm/migrations';
import { migrateDatabase, openDatabase, type Database } from './orm.js';
import {
  ARCHIVE_SCHEMA,
  detachPartitionsOlderThan,
  ensureMonthlyPartitions,
  monthlyPartitionName,
  partitionMonth,
  PARTITION_SCHEMA,
} from './partitions.js';

class CreateEvents extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE SCHEMA IF NOT EXISTS partitions');
    for (const table of ['events', 'audits']) {
      this.addSql(`CREATE TABLE ${table} (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id, created_at)
      ) PARTITION BY RANGE (created_at)`);
      this.addSql(`CREATE TABLE partitions.${table}_default PARTITION OF ${table} DEFAULT`);
    }
    this.addSql('CREATE TABLE plain (id int PRIMARY KEY)');
  }
}

const utc = (y: number, m: number, d = 1) => new Date(Date.UTC(y, m - 1, d));

describe('lib/db/partitions: monthly range partitions', function () {
  this.timeout(120_000);
  const dbName = `partitions_test_${process.pid}`;
  let dataDir: string;
  let database: Database;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'partitions-'));
    let url: string | undefined;
    if (process.env.DATABASE_URL) {
      const target = new URL(process.env.DATABASE_URL);
      target.pathname = `/${dbName}`;
      url = target.toString();
    }
    database = await openDatabase(
      { name: dbName, entities: [], migrations: [{ name: 'CreateEvents', class: CreateEvents }] },
      { url, dataDir },
    );
    await migrateDatabase(database);
  });

  after(async () => {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (!process.env.DATABASE_URL) return;
    const admin = new URL(process.env.DATABASE_URL);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await client.end();
  });

  const run = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    database.orm.em.getConnection().execute<T[]>(sql, params, 'all');

  async function partitionsOf(table: string): Promise<string[]> {
    const rows = await run<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE i.inhparent = to_regclass(?) ORDER BY c.relname`,
      [`public.${table}`],
    );
    return rows.map((row) => row.name);
  }

  async function whereIs(note: string): Promise<string | undefined> {
    const [row] = await run<{ place: string }>(
      'SELECT tableoid::regclass::text AS place FROM events WHERE note = ?',
      [note],
    );
    return row?.place;
  }

  it('names partitions <table>_yYYYYmMM and reads the month back', () => {
    expect(monthlyPartitionName('events', utc(2026, 11, 27))).to.equal('events_y2026m11');
    expect(monthlyPartitionName('events', utc(2027, 1, 1))).to.equal('events_y2027m01');
    expect(partitionMonth('events', 'events_y2027m01')?.toISOString()).to.equal('2027-01-01T00:00:00.000Z');
    expect(partitionMonth('events', 'events_default')).to.equal(undefined);
    expect(partitionMonth('events', 'audits_y2027m01')).to.equal(undefined);
  });

  it('creates the reference month and the months ahead, once', async () => {
    const created = await ensureMonthlyPartitions(database.orm.em.fork(), 'events', {
      from: utc(2026, 11, 15),
      monthsAhead: 2,
    });
    expect(created).to.deep.equal(['events_y2026m11', 'events_y2026m12', 'events_y2027m01']);
    expect(
      await ensureMonthlyPartitions(database.orm.em.fork(), 'events', {
        from: utc(2026, 11, 30),
        monthsAhead: 2,
      }),
    ).to.deep.equal([]);
    expect(await partitionsOf('events')).to.deep.equal([
      `${PARTITION_SCHEMA}.events_default`,
      `${PARTITION_SCHEMA}.events_y2026m11`,
      `${PARTITION_SCHEMA}.events_y2026m12`,
      `${PARTITION_SCHEMA}.events_y2027m01`,
    ]);
  });

  it('routes rows by month, and rows without a partition yet into DEFAULT', async () => {
    await run(`INSERT INTO events (note, created_at) VALUES ('nov', '2026-11-30T23:59:59.999Z')`);
    await run(`INSERT INTO events (note, created_at) VALUES ('dec', '2026-12-01T00:00:00Z')`);
    await run(`INSERT INTO events (note, created_at) VALUES ('next-year', '2027-11-10T00:00:00Z')`);
    await run(`INSERT INTO events (note, created_at) VALUES ('long-ago', '2020-01-10T00:00:00Z')`);
    expect(await whereIs('nov')).to.equal(`${PARTITION_SCHEMA}.events_y2026m11`);
    expect(await whereIs('dec')).to.equal(`${PARTITION_SCHEMA}.events_y2026m12`);
    expect(await whereIs('next-year')).to.equal(`${PARTITION_SCHEMA}.events_default`);
    expect(await whereIs('long-ago')).to.equal(`${PARTITION_SCHEMA}.events_default`);
  });

  it('moves the rows DEFAULT holds for a month into that month when it is created', async () => {
    const created = await ensureMonthlyPartitions(database.orm.em.getConnection(), 'events', {
      from: utc(2027, 10, 3),
      monthsAhead: 1,
    });
    expect(created).to.deep.equal(['events_y2027m10', 'events_y2027m11']);
    expect(await whereIs('next-year')).to.equal(`${PARTITION_SCHEMA}.events_y2027m11`);
    expect(await whereIs('long-ago')).to.equal(`${PARTITION_SCHEMA}.events_default`);
    const [count] = await run<{ n: string | number }>('SELECT count(*) AS n FROM events');
    expect(Number(count?.n)).to.equal(4);
  });

  it("joins the caller's transaction when given an EntityManager in one", async () => {
    await database.orm.em.fork().transactional(async (em) => {
      await em.execute(`INSERT INTO events (note, created_at) VALUES ('in-tx', '2028-03-05T00:00:00Z')`);
      expect(
        await ensureMonthlyPartitions(em, 'events', { from: utc(2028, 3), monthsAhead: 0 }),
      ).to.deep.equal(['events_y2028m03']);
    });
    expect(await whereIs('in-tx')).to.equal(`${PARTITION_SCHEMA}.events_y2028m03`);
  });

  it('handles a list of tables, and concurrent callers', async () => {
    const from = utc(2026, 11);
    const results = await Promise.all([
      ensureMonthlyPartitions(database.orm.em.fork(), ['events', 'audits'], { from, monthsAhead: 3 }),
      ensureMonthlyPartitions(database.orm.em.fork(), ['audits', 'events'], { from, monthsAhead: 3 }),
    ]);
    const created = results.flat().sort();
    expect(created).to.deep.equal([
      'audits_y2026m11',
      'audits_y2026m12',
      'audits_y2027m01',
      'audits_y2027m02',
      'events_y2027m02',
    ]);
  });

  it('detaches the months past the retention into the archive schema, once', async () => {
    // June 2027 keeping 6 months: December 2026 onwards stays, November 2026 goes.
    const detached = await detachPartitionsOlderThan(database.orm.em.fork(), 'events', 6, {
      now: utc(2027, 6, 15),
    });
    expect(detached).to.deep.equal(['events_y2026m11']);
    expect(
      await detachPartitionsOlderThan(database.orm.em.fork(), 'events', 6, { now: utc(2027, 6, 15) }),
    ).to.deep.equal([]);
    expect(await partitionsOf('events')).to.not.include(`${PARTITION_SCHEMA}.events_y2026m11`);
    expect(await whereIs('nov')).to.equal(undefined);
    const [archived] = await run<{ note: string }>(`SELECT note FROM ${ARCHIVE_SCHEMA}.events_y2026m11`);
    expect(archived?.note).to.equal('nov');
    expect(await whereIs('long-ago'), 'DEFAULT is never detached').to.equal(
      `${PARTITION_SCHEMA}.events_default`,
    );
  });

  it('drops instead of archiving when asked', async () => {
    // February 2027 keeping 1 month: January stays, November and December go.
    const dropped = await detachPartitionsOlderThan(database.orm.em.getConnection(), ['audits'], 1, {
      now: utc(2027, 2, 10),
      drop: true,
    });
    expect(dropped).to.deep.equal(['audits_y2026m11', 'audits_y2026m12']);
    const [left] = await run<{ n: string | number }>(
      `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('partitions', 'archive') AND c.relname IN ('audits_y2026m11', 'audits_y2026m12')`,
    );
    expect(Number(left?.n)).to.equal(0);
  });

  it('refuses unsafe names, tables that are not partitioned and bad arguments', async () => {
    const em = database.orm.em.fork();
    for (const attempt of [
      () => ensureMonthlyPartitions(em, 'events; DROP TABLE events'),
      () => ensureMonthlyPartitions(em, 'plain'),
      () => ensureMonthlyPartitions(em, 'events', { monthsAhead: -1 }),
      () => detachPartitionsOlderThan(em, 'events', 0),
    ]) {
      let failure: unknown;
      await attempt().catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(Error);
    }
  });
});
