import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_shipping_tables } from './Migration20261127120000_create_shipping_tables.js';
import { Migration20261206130000_fulfilment } from './Migration20261206130000_fulfilment.js';

/** shipping_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const shippingMigrations: MigrationObject[] = [
  {
    name: 'Migration20261127120000_create_shipping_tables',
    class: Migration20261127120000_create_shipping_tables,
  },
  { name: 'Migration20261206130000_fulfilment', class: Migration20261206130000_fulfilment },
];
