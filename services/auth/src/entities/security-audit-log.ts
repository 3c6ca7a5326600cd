import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

/**
 * One security event (register, login_succeeded, login_failed, account_locked, token_reuse_detected,
 * password_changed, role_changed, …). Append-only and partitioned by month on `created_at`; the
 * table's primary key is (id, created_at), the entity's is `id` (UUID v7, unique in practice).
 *
 * `userId` deliberately has no foreign key: the audit trail must outlive the account and must never
 * be rewritten by a cascade; it is null for events without a known account (a failed login for an
 * unknown email, kept in `email`).
 */
export const SecurityAuditLog = defineEntity({
  name: 'SecurityAuditLog',
  tableName: 'security_audit_logs',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    userId: p.uuid().nullable(),
    action: p.text(),
    email: p.text().nullable(),
    ipAddress: p.text().nullable(),
    userAgent: p.text().nullable(),
    metadata: p.json<Record<string, unknown>>().onCreate(() => ({})),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type SecurityAuditLog = InferEntity<typeof SecurityAuditLog>;
