import type { EntityManager } from '@mikro-orm/postgresql';
import { decimalToMinorUnits } from '../../../../../lib/db/money-type.js';
import type { CouponType } from '../pricing/types.js';

/** A coupon as the domain reads it: money in minor units, a percentage in basis points. */
export interface CouponRecord {
  id: string;
  code: string;
  name: string;
  description: string | null;
  type: CouponType;
  /** percentage: basis points; fixed_amount: minor units; free_shipping: 0. */
  discountValue: number;
  currency: string;
  minimumAmount: number | null;
  maximumDiscount: number | null;
  usageLimit: number | null;
  usageCount: number;
  usageLimitPerUser: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
  isActive: boolean;
  applicableProducts: string[];
  applicableCategories: string[];
  excludedProducts: string[];
  excludedCategories: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const COUPON_COLUMNS = `c.id, c.code, c.name, c.description, c.type, c.discount_value::text AS discount_value,
  c.currency, c.minimum_amount::text AS minimum_amount, c.maximum_discount::text AS maximum_discount,
  c.usage_limit, c.usage_count, c.usage_limit_per_user, c.starts_at, c.ends_at, c.is_active,
  c.applicable_products, c.applicable_categories, c.excluded_products, c.excluded_categories,
  c.created_at, c.updated_at`;

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));
const optionalDate = (value: unknown): Date | null => (value === null ? null : asDate(value));
const optionalMoney = (value: unknown): number | null =>
  value === null ? null : decimalToMinorUnits(String(value));
const optionalInt = (value: unknown): number | null => (value === null ? null : Number(value));
const ids = (value: unknown): string[] => (typeof value === 'string' ? JSON.parse(value) : value) as string[];

export function couponFromRow(row: Record<string, unknown>): CouponRecord {
  return {
    id: String(row.id),
    code: String(row.code),
    name: String(row.name),
    description: row.description === null ? null : String(row.description),
    type: row.type as CouponType,
    discountValue: decimalToMinorUnits(String(row.discount_value)),
    currency: String(row.currency),
    minimumAmount: optionalMoney(row.minimum_amount),
    maximumDiscount: optionalMoney(row.maximum_discount),
    usageLimit: optionalInt(row.usage_limit),
    usageCount: Number(row.usage_count),
    usageLimitPerUser: optionalInt(row.usage_limit_per_user),
    startsAt: optionalDate(row.starts_at),
    endsAt: optionalDate(row.ends_at),
    isActive: Boolean(row.is_active),
    applicableProducts: ids(row.applicable_products),
    applicableCategories: ids(row.applicable_categories),
    excludedProducts: ids(row.excluded_products),
    excludedCategories: ids(row.excluded_categories),
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
  };
}

/** One coupon by id; `lock` locks its row (FOR UPDATE). */
export async function findCouponById(
  em: EntityManager,
  id: string,
  options: { lock?: boolean } = {},
): Promise<CouponRecord | undefined> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    `SELECT ${COUPON_COLUMNS} FROM coupons c WHERE c.id = ?${options.lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return row ? couponFromRow(row) : undefined;
}

/** One coupon by code, whatever the letter case; `lock` locks its row (FOR UPDATE). */
export async function findCouponByCode(
  em: EntityManager,
  code: string,
  options: { lock?: boolean } = {},
): Promise<CouponRecord | undefined> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    `SELECT ${COUPON_COLUMNS} FROM coupons c WHERE upper(c.code) = upper(?)${options.lock ? ' FOR UPDATE' : ''}`,
    [code],
  );
  return row ? couponFromRow(row) : undefined;
}

/**
 * A coupon by code with the uses (reserved or redeemed) of one customer, in one read; the uses are
 * null when no customer is given.
 */
export async function findCouponWithCustomerUses(
  em: EntityManager,
  code: string,
  customer: { userId: string | null; guestEmail: string | null } | null,
): Promise<{ coupon: CouponRecord; customerUses: number | null } | undefined> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    `SELECT ${COUPON_COLUMNS},
            (SELECT count(*) FROM coupon_usage u
              WHERE u.coupon_id = c.id AND u.status <> 'released'
                AND (u.user_id = ? OR u.guest_email = ?))::int AS customer_uses
       FROM coupons c WHERE upper(c.code) = upper(?)`,
    [customer?.userId ?? null, customer?.guestEmail ?? null, code],
  );
  if (!row) return undefined;
  return { coupon: couponFromRow(row), customerUses: customer ? Number(row.customer_uses) : null };
}
