import { readInt, type Env } from '../config/index.js';
import type { MikroORM } from '../db/index.js';
import { detachPartitionsOlderThan, ensureMonthlyPartitions } from '../db/partitions.js';
import type { Logger } from '../log.js';
import type { BackgroundTask } from './service-module.js';

const DAY_MS = 24 * 3600 * 1000;
const MONTHS_AHEAD = 3;

/**
 * Keeps the monthly partitions of a service's history tables ahead of time: on start and then daily,
 * the current month and the next three exist (a DEFAULT partition catches anything beyond). With
 * PARTITION_RETENTION_MONTHS set, older months are detached into the `archive` schema.
 */
export async function startPartitionMaintenance(
  orm: MikroORM,
  tables: readonly string[],
  env: Env,
  logger: Logger,
): Promise<BackgroundTask> {
  const retentionMonths = readInt(env, 'PARTITION_RETENTION_MONTHS', 0, { min: 0, max: 1200 });
  const maintain = async (): Promise<void> => {
    const created = await ensureMonthlyPartitions(orm.em.fork(), tables, { monthsAhead: MONTHS_AHEAD });
    if (created.length > 0) logger.info({ created }, 'created monthly partitions');
    if (retentionMonths > 0) {
      const detached = await detachPartitionsOlderThan(orm.em.fork(), tables, retentionMonths);
      if (detached.length > 0)
        logger.info({ detached, retentionMonths }, 'detached partitions past retention');
    }
  };
  await maintain();
  const timer = setInterval(() => {
    maintain().catch((error: unknown) => logger.error({ err: error }, 'partition maintenance failed'));
  }, DAY_MS);
  timer.unref();
  return { name: 'partition maintenance', stop: async () => clearInterval(timer) };
}
