import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_discount_tables } from './Migration20261127120000_create_discount_tables.js';

/** discount_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const discountMigrations: MigrationObject[] = [
  {
    name: 'Migration20261127120000_create_discount_tables',
    class: Migration20261127120000_create_discount_tables,
  },
];
