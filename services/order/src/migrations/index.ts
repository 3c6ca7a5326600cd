import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_order_tables } from './Migration20261127120000_create_order_tables.js';

/** order_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const orderMigrations: MigrationObject[] = [
  { name: 'Migration20261127120000_create_order_tables', class: Migration20261127120000_create_order_tables },
];
