import type { Money } from '../../../../../gen/ecommerce/common/v1/money.js';
import {
  CouponType as CouponTypeMessage,
  type CreateCouponRequest,
  type UpdateCouponRequest,
} from '../../../../../gen/ecommerce/discount/v1/discount.js';
import type { Violations } from '../../../../../lib/validation/index.js';
import { checkAmount, checkBasisPoints, checkCurrency, checkIds, checkWindow } from '../checks.js';
import type { CouponType } from '../pricing/types.js';
import type { CouponRecord } from './coupon-record.js';

/** A coupon's fields as a request states them (a create, or a stored coupon with an update laid over). */
export type CouponFields = Omit<CreateCouponRequest, 'inactive'> & { active: boolean };

/** What is written: checked and normalised. */
export interface CouponDraft {
  code: string;
  name: string;
  description: string | null;
  type: CouponType;
  discountValue: number;
  currency: string;
  minimumAmount: number | null;
  maximumDiscount: number | null;
  usageLimit: number | null;
  usageLimitPerUser: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
  isActive: boolean;
  applicableProducts: string[];
  applicableCategories: string[];
  excludedProducts: string[];
  excludedCategories: string[];
}

const TYPES: Partial<Record<CouponTypeMessage, CouponType>> = {
  [CouponTypeMessage.COUPON_TYPE_PERCENTAGE]: 'percentage',
  [CouponTypeMessage.COUPON_TYPE_FIXED_AMOUNT]: 'fixed_amount',
  [CouponTypeMessage.COUPON_TYPE_FREE_SHIPPING]: 'free_shipping',
};

export const couponTypeOf = (type: CouponTypeMessage): CouponType | undefined => TYPES[type];

export function couponTypeMessage(type: CouponType): CouponTypeMessage {
  return Number(Object.keys(TYPES).find((key) => TYPES[Number(key) as CouponTypeMessage] === type));
}

/** Codes a cart accepts: 3-32 letters, digits, _ or -. */
const CODE = /^[A-Za-z0-9_-]{3,32}$/;
const MAX_LIMIT = 100_000_000;

export function fieldsOfCreate(request: CreateCouponRequest): CouponFields {
  const { inactive, ...fields } = request;
  return { ...fields, active: !inactive };
}

export function fieldsOfRecord(coupon: CouponRecord): CouponFields {
  const money = (amount: number | null): Money | undefined =>
    amount === null ? undefined : { currencyCode: coupon.currency, amountMinor: amount };
  return {
    code: coupon.code,
    name: coupon.name,
    description: coupon.description ?? '',
    type: couponTypeMessage(coupon.type),
    percentOffBp: coupon.type === 'percentage' ? coupon.discountValue : 0,
    amountOff: coupon.type === 'fixed_amount' ? money(coupon.discountValue) : undefined,
    currencyCode: coupon.currency,
    minimumAmount: money(coupon.minimumAmount),
    maximumDiscount: money(coupon.maximumDiscount),
    usageLimit: coupon.usageLimit ?? 0,
    usageLimitPerCustomer: coupon.usageLimitPerUser ?? 0,
    startsAt: coupon.startsAt ?? undefined,
    endsAt: coupon.endsAt ?? undefined,
    active: coupon.isActive,
    applicableProductIds: coupon.applicableProducts,
    applicableCategoryIds: coupon.applicableCategories,
    excludedProductIds: coupon.excludedProducts,
    excludedCategoryIds: coupon.excludedCategories,
  };
}

/** The stored coupon's fields with the update's set fields laid over them. */
export function fieldsWithUpdate(current: CouponFields, update: UpdateCouponRequest): CouponFields {
  const type = update.type === CouponTypeMessage.COUPON_TYPE_UNSPECIFIED ? current.type : update.type;
  const typeChanged = type !== current.type;
  return {
    code: update.code ?? current.code,
    name: update.name ?? current.name,
    description: update.description ?? current.description,
    type,
    // A new type drops the old type's value unless the update gives one.
    percentOffBp: update.percentOffBp ?? (typeChanged ? 0 : current.percentOffBp),
    amountOff: update.amountOff ?? (typeChanged ? undefined : current.amountOff),
    currencyCode: update.currencyCode ?? current.currencyCode,
    minimumAmount: update.clearMinimumAmount ? undefined : (update.minimumAmount ?? current.minimumAmount),
    maximumDiscount: update.clearMaximumDiscount
      ? undefined
      : (update.maximumDiscount ?? (typeChanged ? undefined : current.maximumDiscount)),
    usageLimit: update.usageLimit ?? current.usageLimit,
    usageLimitPerCustomer: update.usageLimitPerCustomer ?? current.usageLimitPerCustomer,
    startsAt: update.clearStartsAt ? undefined : (update.startsAt ?? current.startsAt),
    endsAt: update.clearEndsAt ? undefined : (update.endsAt ?? current.endsAt),
    active: update.active ?? current.active,
    applicableProductIds: update.applicableProductIds?.ids ?? current.applicableProductIds,
    applicableCategoryIds: update.applicableCategoryIds?.ids ?? current.applicableCategoryIds,
    excludedProductIds: update.excludedProductIds?.ids ?? current.excludedProductIds,
    excludedCategoryIds: update.excludedCategoryIds?.ids ?? current.excludedCategoryIds,
  };
}

function limit(v: Violations, field: string, value: number): number | null {
  v.wholeNumber(field, value, 0, MAX_LIMIT);
  return value > 0 ? value : null;
}

/** Every rule of a coupon, each field at fault added to `v`; the draft to write. */
export function couponDraftOf(v: Violations, fields: CouponFields): CouponDraft {
  const code = fields.code.trim();
  if (code === '') v.add('code', 'is required');
  else if (!CODE.test(code)) v.add('code', 'must be 3-32 characters of letters, digits, _ or -');
  const type = couponTypeOf(fields.type);
  if (!type) v.add('type', 'is required');
  const currency = checkCurrency(v, 'currency_code', fields.currencyCode);

  let discountValue = 0;
  if (type === 'percentage') {
    discountValue = checkBasisPoints(v, 'percent_off_bp', fields.percentOffBp);
  } else if (fields.percentOffBp !== 0) {
    v.add('percent_off_bp', 'is only for a percentage coupon');
  }
  if (type === 'fixed_amount') {
    if (!fields.amountOff) v.add('amount_off', 'is required for a fixed amount coupon');
    else discountValue = checkAmount(v, 'amount_off', fields.amountOff, currency, { positive: true });
  } else if (fields.amountOff) {
    v.add('amount_off', 'is only for a fixed amount coupon');
  }
  const minimumAmount = fields.minimumAmount
    ? checkAmount(v, 'minimum_amount', fields.minimumAmount, currency)
    : null;
  let maximumDiscount: number | null = null;
  if (fields.maximumDiscount) {
    if (type !== 'percentage') v.add('maximum_discount', 'is only for a percentage coupon');
    else
      maximumDiscount = checkAmount(v, 'maximum_discount', fields.maximumDiscount, currency, {
        positive: true,
      });
  }
  const startsAt = fields.startsAt ?? null;
  const endsAt = fields.endsAt ?? null;
  checkWindow(v, startsAt, endsAt);
  return {
    code: code.toUpperCase(),
    name: v.text('name', fields.name, 1, 200),
    description: v.optionalText('description', fields.description, 2000),
    type: type ?? 'percentage',
    discountValue,
    currency: currency ?? '',
    minimumAmount,
    maximumDiscount,
    usageLimit: limit(v, 'usage_limit', fields.usageLimit),
    usageLimitPerUser: limit(v, 'usage_limit_per_customer', fields.usageLimitPerCustomer),
    startsAt,
    endsAt,
    isActive: fields.active,
    applicableProducts: checkIds(v, 'applicable_product_ids', fields.applicableProductIds),
    applicableCategories: checkIds(v, 'applicable_category_ids', fields.applicableCategoryIds),
    excludedProducts: checkIds(v, 'excluded_product_ids', fields.excludedProductIds),
    excludedCategories: checkIds(v, 'excluded_category_ids', fields.excludedCategoryIds),
  };
}
