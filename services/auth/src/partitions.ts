/** auth_db tables range-partitioned by month on created_at (see lib/db/partitions.ts). */
export const authPartitionedTables: readonly string[] = ['security_audit_logs'];
