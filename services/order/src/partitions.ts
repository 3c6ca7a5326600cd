/** order_db tables range-partitioned by month on created_at (see lib/db/partitions.ts). */
export const orderPartitionedTables: readonly string[] = ['order_status_history'];
