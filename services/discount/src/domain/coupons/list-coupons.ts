import type { EntityManager } from '@mikro-orm/postgresql';
import {
  CouponType as CouponTypeMessage,
  type ListCouponsRequest,
} from '../../../../../gen/ecommerce/discount/v1/discount.js';
import { keysetPageOf, pageFrom } from '../../../../../lib/paging/index.js';
import { checked } from '../../../../../lib/validation/index.js';
import { couponTypeOf } from './coupon-fields.js';
import { COUPON_COLUMNS, couponFromRow, type CouponRecord } from './coupon-record.js';

const PREFIX = /^[A-Za-z0-9_-]{0,32}$/;

/** Coupons, newest first (ids are UUIDv7), filtered, one keyset page at a time. */
export async function listCoupons(
  em: EntityManager,
  request: ListCouponsRequest,
): Promise<{ coupons: CouponRecord[]; nextPageToken: string }> {
  const filters = checked((v) => {
    const codePrefix = request.codePrefix.trim().toUpperCase();
    if (!PREFIX.test(codePrefix))
      v.add('code_prefix', 'must be at most 32 characters of letters, digits, _ or -');
    return {
      active: request.active ?? null,
      codePrefix,
      type:
        request.type === CouponTypeMessage.COUPON_TYPE_UNSPECIFIED
          ? null
          : (couponTypeOf(request.type) ?? null),
      validAt: request.validAt?.toISOString() ?? null,
    };
  });
  const page = keysetPageOf(request.page, filters, 'none');

  const where: string[] = [];
  const params: unknown[] = [];
  if (filters.active !== null) {
    where.push('c.is_active = ?');
    params.push(filters.active);
  }
  if (filters.codePrefix !== '') {
    where.push('left(upper(c.code), ?) = ?');
    params.push(filters.codePrefix.length, filters.codePrefix);
  }
  if (filters.type !== null) {
    where.push('c.type = ?');
    params.push(filters.type);
  }
  if (filters.validAt !== null) {
    where.push(
      'c.is_active AND (c.starts_at IS NULL OR c.starts_at <= ?) AND (c.ends_at IS NULL OR c.ends_at > ?)',
    );
    params.push(filters.validAt, filters.validAt);
  }
  if (page.after) {
    where.push('c.id < ?');
    params.push(page.after.id);
  }
  const rows = await em.execute<Record<string, unknown>[]>(
    `SELECT ${COUPON_COLUMNS} FROM coupons c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY c.id DESC LIMIT ?`,
    [...params, page.size + 1],
  );
  const { rows: shown, nextPageToken } = pageFrom(rows.map(couponFromRow), page, (coupon) => ({
    key: '',
    id: coupon.id,
  }));
  return { coupons: shown, nextPageToken };
}
