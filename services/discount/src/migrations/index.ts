import type { MigrationObject } from '@mikro-orm/core';

/** discount_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const discountMigrations: MigrationObject[] = [];
