import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_notification_tables } from './Migration20261127120000_create_notification_tables.js';
import { Migration20261206120000_notification_delivery } from './Migration20261206120000_notification_delivery.js';

/** notification_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const notificationMigrations: MigrationObject[] = [
  {
    name: 'Migration20261127120000_create_notification_tables',
    class: Migration20261127120000_create_notification_tables,
  },
  {
    name: 'Migration20261206120000_notification_delivery',
    class: Migration20261206120000_notification_delivery,
  },
];
