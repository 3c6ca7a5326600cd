import type { DatabaseDefinition } from '../../../lib/db/orm.js';
import { userEntities } from './entities/index.js';
import { userMigrations } from './migrations/index.js';

export const userDatabase: DatabaseDefinition = {
  name: 'user_db',
  entities: userEntities,
  migrations: userMigrations,
};
