import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { minorUnitsToDecimal } from '../../../../../lib/db/money-type.js';
import { DiscountReason } from '../../../../../lib/error-reasons.js';
import { alreadyExists, type AppError } from '../../../../../lib/errors.js';
import type { CouponDraft } from './coupon-fields.js';

const optionalMoney = (amount: number | null) => (amount === null ? null : minorUnitsToDecimal(amount));

/** The columns a draft writes, in one order, with their values. */
function columnsOf(draft: CouponDraft): [string, unknown][] {
  return [
    ['code', draft.code],
    ['name', draft.name],
    ['description', draft.description],
    ['type', draft.type],
    ['discount_value', minorUnitsToDecimal(draft.discountValue)],
    ['currency', draft.currency],
    ['minimum_amount', optionalMoney(draft.minimumAmount)],
    ['maximum_discount', optionalMoney(draft.maximumDiscount)],
    ['usage_limit', draft.usageLimit],
    ['usage_limit_per_user', draft.usageLimitPerUser],
    ['starts_at', draft.startsAt],
    ['ends_at', draft.endsAt],
    ['is_active', draft.isActive],
    ['applicable_products', JSON.stringify(draft.applicableProducts)],
    ['applicable_categories', JSON.stringify(draft.applicableCategories)],
    ['excluded_products', JSON.stringify(draft.excludedProducts)],
    ['excluded_categories', JSON.stringify(draft.excludedCategories)],
  ];
}

export function codeTaken(code: string): AppError {
  return alreadyExists('coupon', `code ${code} is taken`, DiscountReason.COUPON_CODE_TAKEN, { code });
}

/** Whether another coupon than `exceptId` has the code, whatever the letter case. */
export async function isCodeTaken(
  em: EntityManager,
  code: string,
  exceptId: string | null,
): Promise<boolean> {
  const rows = await em.execute<unknown[]>(
    'SELECT 1 FROM coupons WHERE upper(code) = upper(?) AND id IS DISTINCT FROM ?',
    [code, exceptId],
  );
  return rows.length > 0;
}

/** Inserts a coupon; false when the code is taken (checked by the unique index, whatever the case). */
export async function insertCoupon(em: EntityManager, id: string, draft: CouponDraft): Promise<boolean> {
  const columns = columnsOf(draft);
  const rows = await em.execute<unknown[]>(
    `INSERT INTO coupons (id, ${columns.map(([name]) => name).join(', ')})
     VALUES (?, ${columns.map(() => '?').join(', ')})
     ON CONFLICT DO NOTHING RETURNING id`,
    [id, ...columns.map(([, value]) => value)],
  );
  return rows.length > 0;
}

export async function updateCoupon(em: EntityManager, id: string, draft: CouponDraft): Promise<void> {
  const columns = columnsOf(draft);
  await em.execute(
    `UPDATE coupons SET ${columns.map(([name]) => `${name} = ?`).join(', ')}, updated_at = now() WHERE id = ?`,
    [...columns.map(([, value]) => value), id],
    'run',
  );
}

/** A unique violation of the code index (two writes of one code at once) as ALREADY_EXISTS. */
export function codeClashOf(error: unknown, code: string): unknown {
  if (error instanceof UniqueConstraintViolationException && error.message.includes('coupons_code_unique')) {
    return codeTaken(code);
  }
  return error;
}
