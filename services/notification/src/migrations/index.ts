import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_notification_tables } from './Migration20261127120000_create_notification_tables.js';

/** notification_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const notificationMigrations: MigrationObject[] = [
  {
    name: 'Migration20261127120000_create_notification_tables',
    class: Migration20261127120000_create_notification_tables,
  },
];
