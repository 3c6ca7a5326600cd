import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_return_tables } from './Migration20261127120000_create_return_tables.js';
import { Migration20261212120000_return_item_refund_with_tax } from './Migration20261212120000_return_item_refund_with_tax.js';

/** return_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const returnMigrations: MigrationObject[] = [
  {
    name: 'Migration20261127120000_create_return_tables',
    class: Migration20261127120000_create_return_tables,
  },
  {
    name: 'Migration20261212120000_return_item_refund_with_tax',
    class: Migration20261212120000_return_item_refund_with_tax,
  },
];
