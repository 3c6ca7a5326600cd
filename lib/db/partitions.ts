import type { AbstractSqlConnection, EntityManager } from '@mikro-orm/postgresql';

/**
 * Monthly range partitions for the append-only history and log tables (those docs/database/ lists as partitioned by month).
 *
 * Layout, for a table `t` partitioned by range on `created_at`:
 * - the parent `public.t` (the only one that counts as a domain table and the one code queries);
 * - `partitions.t_default`, the DEFAULT partition, created by the table's migration, so that an
 *   insert never fails for want of a partition (a row dated next year simply lands there);
 * - `partitions.t_yYYYYmMM`, one per month (UTC), created ahead of time by
 *   `ensureMonthlyPartitions` (on service start and on a schedule). Creating a month moves the rows
 *   the DEFAULT partition already holds for it into the new partition;
 * - `archive.t_yYYYYmMM`, partitions detached by `detachPartitionsOlderThan` (kept for export, or
 *   dropped with `{ drop: true }`).
 * Partitions live outside `public` so that `public` holds exactly the domain tables.
 *
 * The primary key of a partitioned table is (id, created_at); its entity declares `id` alone as
 * primary, which is unique in practice (UUID v7) and lets `em.findOne(Entity, id)` work.
 */

export const PARTITION_SCHEMA = 'partitions';
export const ARCHIVE_SCHEMA = 'archive';
const PARTITION_KEY = 'created_at';

/** An EntityManager (joins its transaction if it is in one) or a bare connection. */
export type SqlTarget = EntityManager | AbstractSqlConnection;

export interface EnsurePartitionsOptions {
  /** How many months after the reference month get a partition too (default 3). */
  monthsAhead?: number;
  /** The reference month (default: now). Partitions are made for it and `monthsAhead` after it. */
  from?: Date;
}

export interface DetachPartitionsOptions {
  /** The current time (default: now); for tests. */
  now?: Date;
  /** Drop detached partitions instead of moving them to the `archive` schema. */
  drop?: boolean;
}

type Run = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

function isEntityManager(target: SqlTarget): target is EntityManager {
  return typeof (target as EntityManager).getConnection === 'function';
}

/** Runs `work` in one transaction: the EntityManager's (nested as a savepoint) or the connection's. */
async function inTransaction<T>(target: SqlTarget, work: (run: Run) => Promise<T>): Promise<T> {
  if (isEntityManager(target)) {
    return target.transactional((em) => work((sql, params = []) => em.execute(sql, params, 'all')));
  }
  return target.transactional((trx) => work((sql, params = []) => target.execute(sql, params, 'all', trx)));
}

function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(name) || name.length > 50) {
    throw new Error(`refusing to partition "${name}": not a plain lower-case table name`);
  }
}

function monthStart(date: Date, addMonths = 0): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + addMonths, 1));
}

/** `security_audit_logs` + 2026-11 → `security_audit_logs_y2026m11`. */
export function monthlyPartitionName(table: string, month: Date): string {
  const start = monthStart(month);
  const mm = String(start.getUTCMonth() + 1).padStart(2, '0');
  return `${table}_y${start.getUTCFullYear()}m${mm}`;
}

export function defaultPartitionName(table: string): string {
  return `${table}_default`;
}

/** The month a partition of `table` covers, or undefined if `name` is not one of its monthly partitions. */
export function partitionMonth(table: string, name: string): Date | undefined {
  const match = new RegExp(`^${table}_y(\\d{4})m(\\d{2})$`).exec(name);
  if (!match) return undefined;
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
}

async function listPartitions(run: Run, table: string): Promise<{ schema: string; name: string }[]> {
  const rows = await run(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE i.inhparent = to_regclass(?)
      ORDER BY c.relname`,
    [`public.${table}`],
  );
  return rows.map((row) => ({ schema: String(row.schema), name: String(row.name) }));
}

async function lockTable(run: Run, table: string): Promise<void> {
  // Serialises partition maintenance of one table across processes on real PostgreSQL (PGlite has a
  // single session, where this is a no-op and not needed).
  await run(`SELECT pg_advisory_xact_lock(hashtext(?))`, [`monthly-partitions:${table}`]);
}

async function ensureOne(run: Run, table: string, monthsAhead: number, from: Date): Promise<string[]> {
  assertIdentifier(table);
  await lockTable(run, table);
  const existing = await listPartitions(run, table);
  if (existing.length === 0) {
    const parent = await run(`SELECT 1 FROM pg_partitioned_table p WHERE p.partrelid = to_regclass(?)`, [
      `public.${table}`,
    ]);
    if (parent.length === 0) throw new Error(`public.${table} is not a partitioned table`);
  }
  const names = new Set(existing.map((partition) => partition.name));
  const defaultPartition = existing.find((partition) => partition.name === defaultPartitionName(table));
  const created: string[] = [];
  for (let offset = 0; offset <= monthsAhead; offset += 1) {
    const lower = monthStart(from, offset);
    const upper = monthStart(from, offset + 1);
    const name = monthlyPartitionName(table, lower);
    if (names.has(name)) continue;
    const bounds = [lower.toISOString(), upper.toISOString()];
    let parked = false;
    if (defaultPartition) {
      // A partition cannot be created while the DEFAULT partition holds rows of its range: park
      // those rows in a temporary table, create the partition, then insert them back through the
      // parent (which routes them to the new partition). All inside this transaction.
      const inDefault = await run(
        `SELECT 1 FROM ${PARTITION_SCHEMA}.${defaultPartition.name}
          WHERE ${PARTITION_KEY} >= ?::timestamptz AND ${PARTITION_KEY} < ?::timestamptz LIMIT 1`,
        bounds,
      );
      if (inDefault.length > 0) {
        await run(
          `CREATE TEMPORARY TABLE IF NOT EXISTS moving_${table} (LIKE public.${table}) ON COMMIT DROP`,
        );
        await run(
          `WITH moved AS (
             DELETE FROM ${PARTITION_SCHEMA}.${defaultPartition.name}
              WHERE ${PARTITION_KEY} >= ?::timestamptz AND ${PARTITION_KEY} < ?::timestamptz
              RETURNING *)
           INSERT INTO moving_${table} SELECT * FROM moved`,
          bounds,
        );
        parked = true;
      }
    }
    await run(
      `CREATE TABLE IF NOT EXISTS ${PARTITION_SCHEMA}.${name} PARTITION OF public.${table}
         FOR VALUES FROM ('${bounds[0]}') TO ('${bounds[1]}')`,
    );
    if (parked) {
      await run(`INSERT INTO public.${table} SELECT * FROM moving_${table}`);
      await run(`TRUNCATE moving_${table}`);
    }
    names.add(name);
    created.push(name);
  }
  return created;
}

/**
 * Creates the monthly partitions of `table` (or of each table in a list) for the reference month and
 * the `monthsAhead` months after it, skipping those that exist. Idempotent and safe to run from
 * several processes at once. Returns the names of the partitions it created.
 */
export async function ensureMonthlyPartitions(
  target: SqlTarget,
  table: string | readonly string[],
  options: EnsurePartitionsOptions = {},
): Promise<string[]> {
  const monthsAhead = options.monthsAhead ?? 3;
  if (!Number.isInteger(monthsAhead) || monthsAhead < 0)
    throw new RangeError('monthsAhead must be an integer ≥ 0');
  const from = options.from ?? new Date();
  const tables = typeof table === 'string' ? [table] : table;
  const created: string[] = [];
  for (const name of tables) {
    created.push(...(await inTransaction(target, (run) => ensureOne(run, name, monthsAhead, from))));
  }
  return created;
}

/**
 * Detaches the monthly partitions of `table` (or of each table in a list) that end before the
 * retention window: with `months` = 12 in November 2026, partitions up to October 2025 go and
 * November 2025 onwards stay. Detached partitions move to the `archive` schema (or are dropped with
 * `drop: true`). Rows parked in the DEFAULT partition are never touched. Returns the names detached.
 */
export async function detachPartitionsOlderThan(
  target: SqlTarget,
  table: string | readonly string[],
  months: number,
  options: DetachPartitionsOptions = {},
): Promise<string[]> {
  if (!Number.isInteger(months) || months < 1)
    throw new RangeError('retention months must be an integer ≥ 1');
  const cutoff = monthStart(options.now ?? new Date(), -months);
  const tables = typeof table === 'string' ? [table] : table;
  const detached: string[] = [];
  for (const name of tables) {
    assertIdentifier(name);
    const gone = await inTransaction(target, async (run) => {
      await lockTable(run, name);
      const old = (await listPartitions(run, name)).filter((partition) => {
        const month = partitionMonth(name, partition.name);
        return month !== undefined && month < cutoff;
      });
      if (old.length > 0 && !options.drop) await run(`CREATE SCHEMA IF NOT EXISTS ${ARCHIVE_SCHEMA}`);
      for (const partition of old) {
        await run(`ALTER TABLE public.${name} DETACH PARTITION ${partition.schema}.${partition.name}`);
        await run(
          options.drop
            ? `DROP TABLE ${partition.schema}.${partition.name}`
            : `ALTER TABLE ${partition.schema}.${partition.name} SET SCHEMA ${ARCHIVE_SCHEMA}`,
        );
      }
      return old.map((partition) => partition.name);
    });
    detached.push(...gone);
  }
  return detached;
}
