import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_payment_tables } from './Migration20261127120000_create_payment_tables.js';
import { Migration20261127140000_vault_idempotency } from './Migration20261127140000_vault_idempotency.js';
import { Migration20261127180000_vault_deleted_methods } from './Migration20261127180000_vault_deleted_methods.js';
import { Migration20261205120000_payment_flow } from './Migration20261205120000_payment_flow.js';

/** payment_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const paymentMigrations: MigrationObject[] = [
  {
    name: 'Migration20261127120000_create_payment_tables',
    class: Migration20261127120000_create_payment_tables,
  },
  { name: 'Migration20261127140000_vault_idempotency', class: Migration20261127140000_vault_idempotency },
  {
    name: 'Migration20261127180000_vault_deleted_methods',
    class: Migration20261127180000_vault_deleted_methods,
  },
  { name: 'Migration20261205120000_payment_flow', class: Migration20261205120000_payment_flow },
];
