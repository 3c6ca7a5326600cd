/** return_db has no table partitioned by month (see lib/db/partitions.ts). */
export const returnPartitionedTables: readonly string[] = [];
