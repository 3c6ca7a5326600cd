import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_discount_tables } from './Migration20261127120000_create_discount_tables.js';
import { Migration20261205120000_discount_usage_and_rules } from './Migration20261205120000_discount_usage_and_rules.js';

/** discount_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const discountMigrations: MigrationObject[] = [
  {
    name: 'Migration20261127120000_create_discount_tables',
    class: Migration20261127120000_create_discount_tables,
  },
  {
    name: 'Migration20261205120000_discount_usage_and_rules',
    class: Migration20261205120000_discount_usage_and_rules,
  },
];
