import type { DatabaseDefinition } from '../../../lib/db/orm.js';
import { notificationEntities } from './entities/index.js';
import { notificationMigrations } from './migrations/index.js';

export const notificationDatabase: DatabaseDefinition = {
  name: 'notification_db',
  entities: notificationEntities,
  migrations: notificationMigrations,
};
