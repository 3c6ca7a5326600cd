import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { defineEntity, p } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { dropDatabases } from './create-database.js';
import { INFRA_MIGRATIONS } from './infra-migrations.js';
import { migrateDatabase, openDatabase, type Database, type DatabaseDefinition } from './orm.js';

class CreateWidgets extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE TABLE widgets (id uuid PRIMARY KEY, name text NOT NULL UNIQUE)');
  }
}

const Widget = defineEntity({
  name: 'Widget',
  tableName: 'widgets',
  properties: { id: p.uuid().primary(), name: p.string() },
});

const definition = (name: string): DatabaseDefinition => ({
  name,
  entities: [Widget],
  migrations: [{ name: 'CreateWidgets', class: CreateWidgets }],
});

/** Real PostgreSQL when DATABASE_URL is set (a scratch database per run), PGlite otherwise. */
function location(dbName: string, dataDir: string): { url: string | undefined; dataDir: string } {
  const server = process.env.DATABASE_URL;
  if (!server) return { url: undefined, dataDir };
  const url = new URL(server);
  url.pathname = `/${dbName}`;
  return { url: url.toString(), dataDir };
}

describe('lib/db: opening and migrating a service database', () => {
  let dataDir: string;
  const dbName = `libdb_test_${process.pid}`;
  let database: Database | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'libdb-'));
  });
  afterEach(async () => {
    await database?.close();
    database = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });
  after(async () => {
    if (process.env.DATABASE_URL) await dropDatabases(process.env.DATABASE_URL, [dbName]);
  });

  it('creates the database, applies infra then service migrations, and a second run applies nothing', async () => {
    database = await openDatabase(definition(dbName), location(dbName, dataDir));
    const applied = await migrateDatabase(database);
    expect(applied).to.deep.equal([...INFRA_MIGRATIONS.map((migration) => migration.name), 'CreateWidgets']);
    expect(await migrateDatabase(database)).to.deep.equal([]);

    const conn = database.orm.em.getConnection();
    const tables = await conn.execute<{ table_schema: string; table_name: string }[]>(
      `SELECT table_schema, table_name FROM information_schema.tables
       WHERE table_schema IN ('public', 'infra') ORDER BY 1, 2`,
    );
    expect(tables.map((t) => `${t.table_schema}.${t.table_name}`)).to.deep.equal([
      'infra.dead_letters',
      'infra.idempotency_keys',
      'infra.inbox',
      'infra.mikro_orm_migrations',
      'infra.outbox',
      'public.widgets',
    ]);
  });

  it("embedded (in every run, whatever DATABASE_URL says): works in the instance's own database and creates no other", async () => {
    database = await openDatabase(definition(dbName), { url: undefined, dataDir });
    await migrateDatabase(database);
    const conn = database.orm.em.getConnection();
    const [current] = await conn.execute<{ db: string }[]>('SELECT current_database() AS db');
    expect(current!.db).to.equal('postgres');
    const databases = await conn.execute<{ datname: string }[]>('SELECT datname FROM pg_database');
    expect(databases.map((d) => d.datname)).to.not.include(dbName);
  });

  it('keeps data across a close and reopen', async () => {
    database = await openDatabase(definition(dbName), location(dbName, dataDir));
    await migrateDatabase(database);
    const em = database.orm.em.fork();
    em.create(Widget, { id: '0190f3a0-0000-7000-8000-000000000001', name: `w-${Date.now()}` });
    await em.flush();
    await database.close();

    database = await openDatabase(definition(dbName), location(dbName, dataDir));
    expect(await migrateDatabase(database)).to.deep.equal([]);
    const found = await database.orm.em
      .fork()
      .findOne(Widget, { id: '0190f3a0-0000-7000-8000-000000000001' });
    expect(found?.name).to.match(/^w-/);
    await database.orm.em.fork().nativeDelete(Widget, {});
  });

  it('answers rows, not a list of results, for a statement whose values hold a ";" (embedded too)', async () => {
    database = await openDatabase(definition(dbName), location(dbName, dataDir));
    await migrateDatabase(database);
    const em = database.orm.em.fork();
    const name = "Flat 2; back door'; DROP TABLE widgets; --";
    // em.execute writes the values into the SQL text: the ';' in it must not split the statement.
    const inserted = await em.execute<{ id: string; name: string }[]>(
      'INSERT INTO widgets (id, name) VALUES (?, ?) RETURNING id, name',
      ['0190f3a0-0000-7000-8000-000000000002', name],
    );
    expect(inserted).to.deep.equal([{ id: '0190f3a0-0000-7000-8000-000000000002', name }]);
    const [found] = await em.execute<{ name: string }[]>('SELECT name FROM widgets WHERE name = ?', [name]);
    expect(found).to.deep.equal({ name });
    await em.transactional((tx) =>
      tx.execute('UPDATE widgets SET name = ? WHERE name = ?', [`${name};`, name]),
    );
    expect(await em.execute('SELECT name FROM widgets')).to.deep.equal([{ name: `${name};` }]);
    await em.execute('DELETE FROM widgets');
  });

  it('still runs a text of several statements outside a transaction (embedded: no parameters)', async () => {
    database = await openDatabase(definition(dbName), location(dbName, dataDir));
    await migrateDatabase(database);
    const em = database.orm.em.fork();
    await em.execute(
      "INSERT INTO widgets (id, name) VALUES ('0190f3a0-0000-7000-8000-000000000003', 'a'); UPDATE widgets SET name = 'b'",
    );
    expect(await em.execute('SELECT name FROM widgets')).to.deep.equal([{ name: 'b' }]);
    await em.execute('DELETE FROM widgets');
  });
});
