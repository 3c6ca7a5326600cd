import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_cart_tables } from './Migration20261127120000_create_cart_tables.js';

/** cart_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const cartMigrations: MigrationObject[] = [
  { name: 'Migration20261127120000_create_cart_tables', class: Migration20261127120000_create_cart_tables },
];
