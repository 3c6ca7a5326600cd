import type { DatabaseDefinition } from '../../../lib/db/orm.js';
import { cartEntities } from './entities/index.js';
import { cartMigrations } from './migrations/index.js';

export const cartDatabase: DatabaseDefinition = {
  name: 'cart_db',
  entities: cartEntities,
  migrations: cartMigrations,
};
