import type { DatabaseDefinition } from '../../../lib/db/orm.js';
import { productEntities } from './entities/index.js';
import { productMigrations } from './migrations/index.js';

export const productDatabase: DatabaseDefinition = {
  name: 'product_db',
  entities: productEntities,
  migrations: productMigrations,
  // The ledger holds open reservations and who bought what (reviews' verified purchases).
};
