import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_order_tables } from './Migration20261127120000_create_order_tables.js';
import { Migration20261205120000_checkout_saga } from './Migration20261205120000_checkout_saga.js';
import { Migration20261206120000_guest_orders_and_numbers } from './Migration20261206120000_guest_orders_and_numbers.js';
import { Migration20261206180000_cancellation_settlement } from './Migration20261206180000_cancellation_settlement.js';
import { Migration20261207120000_saga_saves_in_place } from './Migration20261207120000_saga_saves_in_place.js';

/** order_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const orderMigrations: MigrationObject[] = [
  { name: 'Migration20261127120000_create_order_tables', class: Migration20261127120000_create_order_tables },
  { name: 'Migration20261205120000_checkout_saga', class: Migration20261205120000_checkout_saga },
  {
    name: 'Migration20261206120000_guest_orders_and_numbers',
    class: Migration20261206120000_guest_orders_and_numbers,
  },
  {
    name: 'Migration20261206180000_cancellation_settlement',
    class: Migration20261206180000_cancellation_settlement,
  },
  {
    name: 'Migration20261207120000_saga_saves_in_place',
    class: Migration20261207120000_saga_saves_in_place,
  },
];
