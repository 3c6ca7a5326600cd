import type { DatabaseDefinition } from '../../../lib/db/orm.js';
import { returnEntities } from './entities/index.js';
import { returnMigrations } from './migrations/index.js';

export const returnDatabase: DatabaseDefinition = {
  name: 'return_db',
  entities: returnEntities,
  migrations: returnMigrations,
};
