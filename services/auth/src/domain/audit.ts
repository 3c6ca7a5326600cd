import type { EntityManager } from '@mikro-orm/postgresql';
import { SecurityAuditLog } from '../entities/security-audit-log.js';
import type { ClientInfo } from './client-info.js';

/** Every kind of security event the audit log records (ListAuditEvents filters by these). */
export const SECURITY_ACTIONS = [
  'register',
  'email_verification_sent',
  'email_verified',
  'login_succeeded',
  'login_failed',
  'login_rate_limited',
  'account_locked',
  'token_reuse_detected',
  'logout',
  'logout_all',
  'password_changed',
  'password_reset_requested',
  'password_reset',
  'role_assigned',
  'role_removed',
  'user_deactivated',
  'user_reactivated',
  'service_token_denied',
] as const;

export type SecurityAction = (typeof SECURITY_ACTIONS)[number];

export interface SecurityEvent {
  action: SecurityAction;
  /** The account concerned; absent when none is known (a failed login for an unknown email). */
  userId?: string | undefined;
  /** The email the event is about, when there is one (always for login attempts). */
  email?: string | undefined;
  client: ClientInfo;
  /** Details: who did it (`actor_id` for admin actions), counts, reasons. Never a secret. */
  metadata?: Record<string, unknown>;
}

/** Appends one security event to the audit log, in the caller's transaction. */
export function recordSecurityEvent(em: EntityManager, event: SecurityEvent): void {
  em.create(SecurityAuditLog, {
    userId: event.userId ?? null,
    action: event.action,
    email: event.email ?? null,
    ipAddress: event.client.ip ?? null,
    userAgent: event.client.userAgent ?? null,
    metadata: event.metadata ?? {},
  });
}
