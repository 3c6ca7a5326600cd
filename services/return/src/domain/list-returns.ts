import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  ListReturnsRequest,
  Return as ReturnMessage,
} from '../../../../gen/ecommerce/return/v1/return.js';
import { keysetPageOf, pageFrom, type PageInput } from '../../../../lib/paging/index.js';
import { checked } from '../../../../lib/validation/index.js';
import { ReturnRequest } from '../entities/index.js';
import type { ReturnStatus } from '../entities/return-request.js';
import { storedStatusOf } from './return-status.js';
import { returnViews } from './return-view.js';

interface Filters {
  statuses: ReturnStatus[];
  orderId: string | null;
  userId: string | null;
  requestedFrom: Date | undefined;
  requestedBefore: Date | undefined;
}

const NO_FILTERS: Filters = {
  statuses: [],
  orderId: null,
  userId: null,
  requestedFrom: undefined,
  requestedBefore: undefined,
};

/** ListMyReturns: the caller's returns, newest first. */
export function listMyReturns(em: EntityManager, userId: string, page: PageInput | undefined) {
  return listed(em, { ...NO_FILTERS, userId }, page, 'my-returns');
}

/** ListReturns: every return, newest first, filtered (staff). */
export function listReturns(em: EntityManager, input: ListReturnsRequest) {
  const filters = checked((v): Filters => {
    const statuses = new Set<ReturnStatus>();
    input.statuses.forEach((wire, i) => {
      const stored = storedStatusOf(wire);
      if (stored) statuses.add(stored);
      else v.add(`statuses[${i}]`, 'must be a status, not RETURN_STATUS_UNSPECIFIED');
    });
    const { requestedFrom, requestedBefore } = input;
    if (requestedFrom && requestedBefore && requestedBefore <= requestedFrom) {
      v.add('requested_before', 'must be after requested_from');
    }
    return {
      statuses: [...statuses].sort(),
      orderId: v.optionalUuid('order_id', input.orderId),
      userId: v.optionalUuid('user_id', input.userId),
      requestedFrom,
      requestedBefore,
    };
  });
  return listed(em, filters, input.page, 'returns');
}

interface ReturnRow extends Record<string, unknown> {
  id: string;
  cursor_at: string;
}

/**
 * One page of returns newest first, keyset-paged on (created_at, id): along
 * return_requests_user_id_created_at_idx for a customer, return_requests_status_created_at_idx
 * for one status, the order id index for an order.
 */
async function listed(
  em: EntityManager,
  filters: Filters,
  pageInput: PageInput | undefined,
  listing: string,
): Promise<{ returns: ReturnMessage[]; nextPageToken: string }> {
  const page = keysetPageOf(
    pageInput,
    {
      listing,
      s: filters.statuses,
      o: filters.orderId ?? '',
      u: filters.userId ?? '',
      f: filters.requestedFrom?.toISOString() ?? '',
      t: filters.requestedBefore?.toISOString() ?? '',
    },
    'timestamp',
  );
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (condition: string, ...values: unknown[]) => {
    where.push(condition);
    params.push(...values);
  };
  if (filters.userId) add('user_id = ?', filters.userId);
  if (filters.orderId) add('order_id = ?', filters.orderId);
  if (filters.statuses.length > 0)
    add(`status IN (${filters.statuses.map(() => '?').join(', ')})`, ...filters.statuses);
  if (filters.requestedFrom) add('requested_at >= ?', filters.requestedFrom);
  if (filters.requestedBefore) add('requested_at < ?', filters.requestedBefore);
  if (page.after) {
    add(
      'created_at <= ?::timestamptz AND (created_at, id) < (?::timestamptz, ?::uuid)',
      page.after.key,
      page.after.key,
      page.after.id,
    );
  }
  const rows = await em.execute<ReturnRow[]>(
    `SELECT *, created_at::text AS cursor_at FROM return_requests
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`,
    [...params, page.size + 1],
  );
  const { rows: shown, nextPageToken } = pageFrom(rows, page, (row) => ({ key: row.cursor_at, id: row.id }));
  const returns = shown.map(({ cursor_at: _cursor, ...row }) => em.map(ReturnRequest, row));
  return { returns: await returnViews(em, returns), nextPageToken };
}
