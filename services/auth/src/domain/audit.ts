import type { EntityManager } from '@mikro-orm/postgresql';
import { SecurityAuditLog } from '../entities/security-audit-log.js';
import type { ClientInfo } from './client-info.js';

export type SecurityAction = 'register' | 'login_succeeded' | 'login_failed' | 'account_locked';

/** Appends one security event to the audit log, in the caller's transaction. */
export function recordSecurityEvent(
  em: EntityManager,
  action: SecurityAction,
  userId: string | undefined,
  client: ClientInfo,
  metadata: Record<string, unknown> = {},
): void {
  em.create(SecurityAuditLog, {
    userId: userId ?? null,
    action,
    ipAddress: client.ip ?? null,
    userAgent: client.userAgent ?? null,
    metadata,
  });
}
