import type { DatabaseDefinition } from '../../../lib/db/orm.js';
import { authEntities } from './entities/index.js';
import { authMigrations } from './migrations/index.js';
import { authPartitionedTables } from './partitions.js';

export const authDatabase: DatabaseDefinition = {
  name: 'auth_db',
  entities: authEntities,
  migrations: authMigrations,
  partitionedTables: authPartitionedTables,
};
