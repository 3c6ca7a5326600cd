import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_cart_tables } from './Migration20261127120000_create_cart_tables.js';
import { Migration20261127140000_cart_merge_and_expiry } from './Migration20261127140000_cart_merge_and_expiry.js';
import { Migration20261210120000_cart_version } from './Migration20261210120000_cart_version.js';

/** cart_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const cartMigrations: MigrationObject[] = [
  { name: 'Migration20261127120000_create_cart_tables', class: Migration20261127120000_create_cart_tables },
  {
    name: 'Migration20261127140000_cart_merge_and_expiry',
    class: Migration20261127140000_cart_merge_and_expiry,
  },
  { name: 'Migration20261210120000_cart_version', class: Migration20261210120000_cart_version },
];
