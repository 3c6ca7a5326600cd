/** notification_db tables range-partitioned by month on created_at (see lib/db/partitions.ts). */
export const notificationPartitionedTables: readonly string[] = ['notifications', 'notification_logs'];
