/**
 * The pricing engine's own vocabulary: plain data in, plain data out, no database and no clock.
 * Every amount is integer minor units of the cart's currency; a percentage is basis points.
 */

/** Which lines a rule looks at (empty product and category lists: every line, but the exclusions). */
export interface Target {
  productIds: readonly string[];
  categoryIds: readonly string[];
  excludedProductIds: readonly string[];
  excludedCategoryIds: readonly string[];
}

/** A percentage, or an amount (per unit for a product discount, in all for a spend amount). */
export type Benefit = { type: 'percent'; bp: number } | { type: 'amount'; amount: number };

export interface VolumeTier {
  minQuantity: number;
  percentOffBp: number;
}

export interface BundleComponent {
  target: Target;
  quantity: number;
}

/** What a promotion does: one case per kind. */
export type PromotionRule =
  | { kind: 'product_discount'; target: Target; benefit: Benefit }
  | {
      kind: 'buy_x_get_y';
      target: Target;
      buyQuantity: number;
      getQuantity: number;
      percentOffBp: number;
      /** 0: no limit. */
      maxApplications: number;
    }
  | { kind: 'volume_tiers'; target: Target; tiers: readonly VolumeTier[] }
  | { kind: 'bundle'; components: readonly BundleComponent[]; percentOffBp: number; maxApplications: number }
  | { kind: 'spend_amount'; target: Target; minSubtotal: number; benefit: Benefit }
  | { kind: 'free_shipping'; target: Target; minSubtotal: number };

export type PromotionKind = PromotionRule['kind'];

/** A running promotion, as the engine needs it. */
export interface PricingPromotion {
  id: string;
  name: string;
  priority: number;
  stackable: boolean;
  /** null: any currency. */
  currency: string | null;
  rule: PromotionRule;
}

export type CouponType = 'percentage' | 'fixed_amount' | 'free_shipping';

/** A coupon already judged usable (active, in its dates, currency, limits); the engine judges the rest. */
export interface PricingCoupon {
  id: string;
  code: string;
  name: string;
  type: CouponType;
  percentOffBp: number;
  amountOff: number;
  minimumAmount: number | null;
  maximumDiscount: number | null;
  target: Target;
}

export interface CartLine {
  lineId: string;
  productId: string;
  variantId: string;
  categoryIds: readonly string[];
  unitPrice: number;
  quantity: number;
}

export interface PricingInput {
  currency: string;
  lines: readonly CartLine[];
  shipping: number;
  promotions: readonly PricingPromotion[];
  coupon?: PricingCoupon;
}

export interface DiscountSource {
  kind: 'promotion' | 'coupon';
  id: string;
  name: string;
  /** Coupons only. */
  code?: string;
}

export type DiscountLevel = 'line' | 'order' | 'shipping';

export interface LineAdjustment {
  source: DiscountSource;
  level: DiscountLevel;
  amount: number;
}

export interface PricedLine {
  lineId: string;
  subtotal: number;
  adjustments: LineAdjustment[];
  discount: number;
  total: number;
}

export interface OrderDiscount {
  source: DiscountSource;
  amount: number;
  /** In line id order; lines with no share left out. */
  allocations: { lineId: string; amount: number }[];
}

export interface AppliedDiscount {
  source: DiscountSource;
  level: DiscountLevel;
  amount: number;
  explanation: string;
}

export interface SetAsideDiscount {
  source: DiscountSource;
  amount: number;
  explanation: string;
}

export type CouponRefusalReason = 'COUPON_NOT_APPLICABLE' | 'COUPON_MINIMUM_NOT_MET';

export interface CouponRefusal {
  reason: string;
  message: string;
  metadata: Record<string, string>;
}

export interface CouponResult {
  applied: boolean;
  discount: number;
  refusal?: CouponRefusal;
}

export interface PriceTotals {
  subtotal: number;
  lineDiscount: number;
  orderDiscount: number;
  discountedSubtotal: number;
  shipping: number;
  shippingDiscount: number;
  shippingTotal: number;
  discount: number;
  total: number;
}

export interface PricingResult {
  currency: string;
  /** In the request's order. */
  lines: PricedLine[];
  orderDiscounts: OrderDiscount[];
  applied: AppliedDiscount[];
  setAside: SetAsideDiscount[];
  coupon?: CouponResult;
  shippingDiscountSource?: DiscountSource;
  totals: PriceTotals;
}
