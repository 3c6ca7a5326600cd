/** shipping_db has no table partitioned by month (see lib/db/partitions.ts). */
export const shippingPartitionedTables: readonly string[] = [];
