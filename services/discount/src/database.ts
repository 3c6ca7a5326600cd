import type { DatabaseDefinition } from '../../../lib/db/orm.js';
import { discountEntities } from './entities/index.js';
import { discountMigrations } from './migrations/index.js';

export const discountDatabase: DatabaseDefinition = {
  name: 'discount_db',
  entities: discountEntities,
  migrations: discountMigrations,
};
