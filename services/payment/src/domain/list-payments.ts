import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  ListPaymentsRequest,
  ListPaymentsResponse,
} from '../../../../gen/ecommerce/payment/v1/payment.js';
import { keysetPageOf, pageFrom } from '../../../../lib/paging/index.js';
import { checked } from '../../../../lib/validation/index.js';
import type { PaymentReader } from './payment-access.js';
import { PAYMENT_COLUMNS, paymentMessage, paymentRecordOf, paymentStatusOf } from './payment-records.js';

/**
 * Payments newest first, keyset-paged on (created_at, id), filtered by order, status and
 * customer. A customer's listing is always of their own payments: a user_id filter naming anyone
 * else lists nothing.
 */
export async function listPayments(
  em: EntityManager,
  reader: PaymentReader,
  request: ListPaymentsRequest,
): Promise<ListPaymentsResponse> {
  const filters = checked((v) => ({
    orderId: v.optionalUuid('order_id', request.orderId),
    userId: v.optionalUuid('user_id', request.userId),
  }));
  const status = paymentStatusOf(request.status) ?? null;
  const ownerOnly = reader.kind === 'customer' ? reader.userId : null;
  const page = keysetPageOf(
    request.page,
    { o: filters.orderId, u: filters.userId, s: status, c: ownerOnly },
    'timestamp',
  );
  const where: string[] = [];
  const params: unknown[] = [];
  const filter = (sql: string, value: unknown) => {
    where.push(sql);
    params.push(value);
  };
  if (ownerOnly) filter('user_id = ?', ownerOnly);
  if (filters.userId) filter('user_id = ?', filters.userId);
  if (filters.orderId) filter('order_id = ?', filters.orderId);
  if (status) filter('status = ?', status);
  if (page.after) {
    where.push('(created_at, id) < (?::timestamptz, ?)');
    params.push(page.after.key, page.after.id);
  }
  const rows = await em.execute<(Parameters<typeof paymentRecordOf>[0] & { cursor_at: string })[]>(
    `SELECT ${PAYMENT_COLUMNS}, created_at::text AS cursor_at FROM payments
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`,
    [...params, page.size + 1],
  );
  const shown = pageFrom(rows, page, (row) => ({ key: row.cursor_at, id: row.id }));
  return {
    payments: shown.rows.map((row) => paymentMessage(paymentRecordOf(row))),
    page: { nextPageToken: shown.nextPageToken },
  };
}
