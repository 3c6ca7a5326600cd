import type { DatabaseDefinition } from '../../../lib/db/orm.js';
import { paymentEntities } from './entities/index.js';
import { paymentMigrations } from './migrations/index.js';

export const paymentDatabase: DatabaseDefinition = {
  name: 'payment_db',
  entities: paymentEntities,
  migrations: paymentMigrations,
};
