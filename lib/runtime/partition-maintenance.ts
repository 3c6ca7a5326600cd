import { readInt, type Env } from '../config/index.js';
import type { MikroORM } from '../db/index.js';
import { detachPartitionsOlderThan, ensureMonthlyPartitions } from '../db/partitions.js';
import type { Logger } from '../log.js';
import { startPeriodicJob, type PeriodicJob } from './periodic-job.js';

const DAY_MS = 24 * 3600 * 1000;
const MONTHS_AHEAD = 3;

/**
 * Keeps the monthly partitions of a service's history tables ahead of time: on start (awaited, so
 * they exist before the port opens) and then daily, the current month and the next three exist (a
 * DEFAULT partition catches anything beyond). With PARTITION_RETENTION_MONTHS set, older months are
 * detached into the `archive` schema. Idempotent: a replica that loses a race to create or detach
 * the same partition fails that run (logged) and finds the work done at the next.
 */
export async function startPartitionMaintenance(
  orm: MikroORM,
  tables: readonly string[],
  env: Env,
  service: string,
  logger: Logger,
): Promise<PeriodicJob> {
  const retentionMonths = readInt(env, 'PARTITION_RETENTION_MONTHS', 0, { min: 0, max: 1200 });
  const job = startPeriodicJob({
    name: 'partition maintenance',
    service,
    intervalMs: DAY_MS,
    logger,
    async run() {
      const created = await ensureMonthlyPartitions(orm.em.fork(), tables, { monthsAhead: MONTHS_AHEAD });
      if (created.length > 0) logger.info({ created }, 'created monthly partitions');
      if (retentionMonths > 0) {
        const detached = await detachPartitionsOlderThan(orm.em.fork(), tables, retentionMonths);
        if (detached.length > 0)
          logger.info({ detached, retentionMonths }, 'detached partitions past retention');
      }
    },
  });
  await job.runNow();
  return job;
}
