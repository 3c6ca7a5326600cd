import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_user_tables } from './Migration20261127120000_create_user_tables.js';
import { Migration20261127140000_wallet_wishlist_sync } from './Migration20261127140000_wallet_wishlist_sync.js';
import { Migration20261205120000_event_log_per_consumer } from './Migration20261205120000_event_log_per_consumer.js';

/** user_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const userMigrations: MigrationObject[] = [
  { name: 'Migration20261127120000_create_user_tables', class: Migration20261127120000_create_user_tables },
  {
    name: 'Migration20261127140000_wallet_wishlist_sync',
    class: Migration20261127140000_wallet_wishlist_sync,
  },
  {
    name: 'Migration20261205120000_event_log_per_consumer',
    class: Migration20261205120000_event_log_per_consumer,
  },
];
