import type { DatabaseDefinition } from '../../../lib/db/orm.js';
import { shippingEntities } from './entities/index.js';
import { shippingMigrations } from './migrations/index.js';

export const shippingDatabase: DatabaseDefinition = {
  name: 'shipping_db',
  entities: shippingEntities,
  migrations: shippingMigrations,
};
