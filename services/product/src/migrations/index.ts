import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127120000_create_product_tables } from './Migration20261127120000_create_product_tables.js';
import { Migration20261127150000_listing_indexes_and_review_moderation } from './Migration20261127150000_listing_indexes_and_review_moderation.js';
import { Migration20261127170000_maintained_stock_status } from './Migration20261127170000_maintained_stock_status.js';
import { Migration20261128090000_variant_weights } from './Migration20261128090000_variant_weights.js';

/** product_db migrations, oldest first (the migration ledger is `infra.mikro_orm_migrations`). */
export const productMigrations: MigrationObject[] = [
  {
    name: 'Migration20261127120000_create_product_tables',
    class: Migration20261127120000_create_product_tables,
  },
  {
    name: 'Migration20261127150000_listing_indexes_and_review_moderation',
    class: Migration20261127150000_listing_indexes_and_review_moderation,
  },
  {
    name: 'Migration20261127170000_maintained_stock_status',
    class: Migration20261127170000_maintained_stock_status,
  },
  {
    name: 'Migration20261128090000_variant_weights',
    class: Migration20261128090000_variant_weights,
  },
];
