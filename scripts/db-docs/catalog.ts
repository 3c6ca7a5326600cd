import type { EntityManager } from '@mikro-orm/postgresql';

/** One schema as PostgreSQL itself describes it (pg_catalog), after every migration ran. */
export interface TableSchema {
  schema: string;
  name: string;
  columns: ColumnSchema[];
  constraints: ConstraintSchema[];
  indexes: IndexSchema[];
  foreignKeys: ForeignKeySchema[];
  /** `RANGE (created_at)` for a partitioned table. */
  partitionKey?: string;
  partitions: PartitionSchema[];
}

export interface ColumnSchema {
  name: string;
  type: string;
  nullable: boolean;
  default?: string;
  /** The expression of a generated column (`GENERATED ALWAYS AS (…) STORED`). */
  generated?: string;
}

export interface ConstraintSchema {
  name: string;
  kind: 'primary key' | 'unique' | 'check' | 'foreign key' | 'exclusion';
  definition: string;
}

export interface IndexSchema {
  name: string;
  unique: boolean;
  /** What follows `ON <table>` in the index definition: method, keys, predicate. */
  definition: string;
  /** The constraint the index enforces (primary key or unique), if any. */
  constraint?: string;
  /** The columns the index starts with, in order (expressions appear as null). */
  leadingColumns: (string | null)[];
}

export interface ForeignKeySchema {
  name: string;
  columns: string[];
  targetTable: string;
  targetColumns: string[];
  onDelete: string;
  deferred: boolean;
}

export interface PartitionSchema {
  schema: string;
  name: string;
  bound: string;
}

export interface DatabaseSchema {
  name: string;
  /** The domain tables (`public`), by name. */
  tables: TableSchema[];
  /** The infrastructure tables (`infra`): migration ledger, outbox, inbox, idempotency ledger. */
  infraTables: TableSchema[];
}

type Row = Record<string, unknown>;

const CONSTRAINT_KINDS: Record<string, ConstraintSchema['kind']> = {
  p: 'primary key',
  u: 'unique',
  c: 'check',
  f: 'foreign key',
  x: 'exclusion',
};

const DELETE_ACTIONS: Record<string, string> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

// Ordinary and partitioned tables that are not themselves partitions.
const TABLES_SQL = `
  SELECT c.oid::int AS oid, c.relname AS name,
         CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   ORDER BY c.relname`;

const COLUMNS_SQL = `
  SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
         pg_get_expr(d.adbin, d.adrelid) AS expression, a.attgenerated::text AS generated
    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped
   ORDER BY a.attnum`;

// NOT NULL constraints (contype 'n', PostgreSQL 18) are shown as the columns' nullability instead.
const CONSTRAINTS_SQL = `
  SELECT conname AS name, contype::text AS kind, pg_get_constraintdef(oid) AS definition
    FROM pg_constraint
   WHERE conrelid = ? AND contype IN ('p', 'u', 'c', 'f', 'x')
   ORDER BY conname`;

const FOREIGN_KEYS_SQL = `
  SELECT con.conname AS name, target.relname AS target_table, con.confdeltype::text AS on_delete,
         con.condeferred AS deferred,
         ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.i) AS columns,
         ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, i)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.i)
           AS target_columns
    FROM pg_constraint con JOIN pg_class target ON target.oid = con.confrelid
   WHERE con.conrelid = ? AND con.contype = 'f'
   ORDER BY con.conname`;

const INDEXES_SQL = `
  SELECT ic.relname AS name, i.indisunique AS unique, pg_get_indexdef(i.indexrelid) AS definition,
         con.conname AS constraint,
         ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                 LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE k.n <= i.indnkeyatts ORDER BY k.n) AS leading_columns
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                               AND con.contype IN ('p', 'u', 'x')
   WHERE i.indrelid = ?
   ORDER BY ic.relname`;

const PARTITIONS_SQL = `
  SELECT n.nspname AS schema, c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE i.inhparent = ?
   ORDER BY n.nspname, c.relname`;

/** `CREATE UNIQUE INDEX x ON public.t USING btree (a) WHERE …` → `btree (a) WHERE …`. */
function indexBody(definition: string): string {
  return definition.replace(/^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ USING /, '');
}

/** PostgreSQL arrays come back as JS arrays (node-postgres, PGlite) or, rarely, as `{a,b}` text. */
function textArray(value: unknown): (string | null)[] {
  if (Array.isArray(value)) return value.map((v) => (v === null ? null : String(v)));
  if (typeof value === 'string') {
    return value
      .replace(/^\{|\}$/g, '')
      .split(',')
      .filter((v) => v !== '')
      .map((v) => (v === 'NULL' ? null : v.replace(/^"|"$/g, '')));
  }
  return [];
}

async function readTable(em: EntityManager, schema: string, table: Row): Promise<TableSchema> {
  const oid = Number(table.oid);
  // One query at a time: an embedded database has a single connection anyway.
  const columns = await em.execute<Row[]>(COLUMNS_SQL, [oid]);
  const constraints = await em.execute<Row[]>(CONSTRAINTS_SQL, [oid]);
  const foreignKeys = await em.execute<Row[]>(FOREIGN_KEYS_SQL, [oid]);
  const indexes = await em.execute<Row[]>(INDEXES_SQL, [oid]);
  const partitions = await em.execute<Row[]>(PARTITIONS_SQL, [oid]);
  return {
    schema,
    name: String(table.name),
    columns: columns.map((c) => ({
      name: String(c.name),
      type: String(c.type),
      nullable: Boolean(c.nullable),
      ...(c.expression !== null && c.generated === ''
        ? { default: String(c.expression) }
        : c.expression !== null
          ? { generated: String(c.expression) }
          : {}),
    })),
    constraints: constraints.map((c) => ({
      name: String(c.name),
      kind: CONSTRAINT_KINDS[String(c.kind)]!,
      definition: String(c.definition),
    })),
    foreignKeys: foreignKeys.map((f) => ({
      name: String(f.name),
      columns: textArray(f.columns).map(String),
      targetTable: String(f.target_table),
      targetColumns: textArray(f.target_columns).map(String),
      onDelete: DELETE_ACTIONS[String(f.on_delete)] ?? String(f.on_delete),
      deferred: Boolean(f.deferred),
    })),
    indexes: indexes.map((i) => ({
      name: String(i.name),
      unique: Boolean(i.unique),
      definition: indexBody(String(i.definition)),
      ...(i.constraint ? { constraint: String(i.constraint) } : {}),
      leadingColumns: textArray(i.leading_columns),
    })),
    ...(table.partition_key ? { partitionKey: String(table.partition_key) } : {}),
    partitions: partitions.map((p) => ({
      schema: String(p.schema),
      name: String(p.name),
      bound: String(p.bound),
    })),
  };
}

async function readSchema(em: EntityManager, schema: string): Promise<TableSchema[]> {
  const tables = await em.execute<Row[]>(TABLES_SQL, [schema]);
  const result: TableSchema[] = [];
  for (const table of tables) result.push(await readTable(em, schema, table));
  return result;
}

/** Reads the migrated schema of one service database from pg_catalog. */
export async function readDatabaseSchema(em: EntityManager, name: string): Promise<DatabaseSchema> {
  return { name, tables: await readSchema(em, 'public'), infraTables: await readSchema(em, 'infra') };
}
