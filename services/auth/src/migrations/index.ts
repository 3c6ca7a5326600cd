import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_auth_tables } from './Migration20261127120000_create_auth_tables.js';

/** auth_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const authMigrations: MigrationObject[] = [
  { name: 'Migration20261127120000_create_auth_tables', class: Migration20261127120000_create_auth_tables },
];
