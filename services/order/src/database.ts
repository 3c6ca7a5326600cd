import type { DatabaseDefinition } from '../../../lib/db/orm.js';
import { orderEntities } from './entities/index.js';
import { orderMigrations } from './migrations/index.js';
import { orderPartitionedTables } from './partitions.js';

export const orderDatabase: DatabaseDefinition = {
  name: 'order_db',
  entities: orderEntities,
  migrations: orderMigrations,
  partitionedTables: orderPartitionedTables,
};
