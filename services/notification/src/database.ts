import type { DatabaseDefinition } from '../../../lib/db/orm.js';
import { notificationEntities } from './entities/index.js';
import { notificationMigrations } from './migrations/index.js';
import { notificationPartitionedTables } from './partitions.js';

export const notificationDatabase: DatabaseDefinition = {
  name: 'notification_db',
  entities: notificationEntities,
  migrations: notificationMigrations,
  partitionedTables: notificationPartitionedTables,
};
