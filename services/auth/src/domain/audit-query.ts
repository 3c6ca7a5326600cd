import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditEvent } from '../../../../gen/ecommerce/auth/v1/auth.js';
import { invalidArgument } from '../../../../lib/errors.js';
import { SECURITY_ACTIONS } from './audit.js';
import { keysetPageOf, pageFrom } from '../../../../lib/paging/index.js';
import { requireUuid } from '../../../../lib/validation/index.js';

interface AuditRow {
  id: string;
  action: string;
  user_id: string | null;
  email: string | null;
  ip_address: string | null;
  user_agent: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  cursor_at: string;
}

export interface AuditFilters {
  userId: string;
  action: string;
  occurredAfter: Date | undefined;
  occurredBefore: Date | undefined;
}

/**
 * The audit log newest first, keyset-paged on (created_at, id), one query. The time bounds prune
 * the monthly partitions; the user and action filters use the (user_id, created_at) and
 * (action, created_at) indexes.
 */
export async function listAuditEvents(
  em: EntityManager,
  input: AuditFilters & { page?: { pageSize: number; pageToken: string } | undefined },
): Promise<{ events: AuditEvent[]; nextPageToken: string }> {
  const userId = input.userId.trim() === '' ? '' : requireUuid('user_id', input.userId);
  const action = input.action.trim();
  if (action !== '' && !(SECURITY_ACTIONS as readonly string[]).includes(action)) {
    throw invalidArgument('action', `must be one of ${SECURITY_ACTIONS.join(', ')}`);
  }
  const { occurredAfter: from, occurredBefore: to } = input;
  if (from && to && to <= from) throw invalidArgument('occurred_before', 'must be after occurred_after');
  const filters = { u: userId, a: action, f: from?.toISOString() ?? '', t: to?.toISOString() ?? '' };
  const page = keysetPageOf(input.page, filters, 'timestamp');
  const after = page.after;
  const where: string[] = [];
  const params: unknown[] = [];
  if (userId) {
    where.push('user_id = ?');
    params.push(userId);
  }
  if (action) {
    where.push('action = ?');
    params.push(action);
  }
  if (from) {
    where.push('created_at >= ?');
    params.push(from);
  }
  if (to) {
    where.push('created_at < ?');
    params.push(to);
  }
  if (after) {
    where.push('(created_at, id) < (?::timestamptz, ?)');
    params.push(after.key, after.id);
  }
  const rows = await em.execute<AuditRow[]>(
    `SELECT id, action, user_id, email, ip_address, user_agent, metadata, created_at, created_at::text AS cursor_at
       FROM security_audit_logs
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`,
    [...params, page.size + 1],
  );
  const { rows: shown, nextPageToken } = pageFrom(rows, page, (row) => ({ key: row.cursor_at, id: row.id }));
  return {
    events: shown.map((row) => ({
      id: row.id,
      action: row.action,
      userId: row.user_id ?? '',
      email: row.email ?? '',
      ipAddress: row.ip_address ?? '',
      userAgent: row.user_agent ?? '',
      metadataJson: JSON.stringify(row.metadata ?? {}),
      occurredAt: new Date(row.created_at),
    })),
    nextPageToken,
  };
}
