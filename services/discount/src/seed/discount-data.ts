import type { PromotionRule } from '../domain/pricing/types.js';

/**
 * The demo store's coupons and promotions. Money in minor units of EUR; a percentage coupon's
 * value is hundredths of a percent (1000 = 10 %), as on the Coupon entity.
 */

export interface DemoCoupon {
  code: string;
  name: string;
  description: string;
  type: 'percentage' | 'fixed_amount' | 'free_shipping';
  discountValue: number;
  minimumAmount: number | null;
  maximumDiscount: number | null;
  usageLimit: number | null;
  usageLimitPerUser: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
  isActive: boolean;
}

/** A demo promotion: its rule in the pricing engine's shape (stored by `storedRuleOf`). */
export interface DemoPromotion {
  name: string;
  description: string;
  status: 'draft' | 'active' | 'paused';
  stackable: boolean;
  priority: number;
  /** null: any currency. */
  currency: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  rule: PromotionRule;
}

export const DISCOUNT_CURRENCY = 'EUR';

export const DEMO_COUPONS: DemoCoupon[] = [
  {
    code: 'WELCOME10',
    name: 'Welcome 10 %',
    description: '10 % off a first order, once per customer.',
    type: 'percentage',
    discountValue: 1000,
    minimumAmount: null,
    maximumDiscount: 5000,
    usageLimit: null,
    usageLimitPerUser: 1,
    startsAt: null,
    endsAt: null,
    isActive: true,
  },
  {
    code: 'SAVE20',
    name: '20 € off 100 €',
    description: '20 € off orders of 100 € or more.',
    type: 'fixed_amount',
    discountValue: 2000,
    minimumAmount: 10000,
    maximumDiscount: null,
    usageLimit: 1000,
    usageLimitPerUser: 3,
    startsAt: null,
    endsAt: null,
    isActive: true,
  },
  {
    code: 'FREESHIP',
    name: 'Free shipping',
    description: 'Free standard shipping on orders of 30 € or more.',
    type: 'free_shipping',
    discountValue: 0,
    minimumAmount: 3000,
    maximumDiscount: null,
    usageLimit: null,
    usageLimitPerUser: null,
    startsAt: null,
    endsAt: null,
    isActive: true,
  },
  {
    code: 'SPRING25',
    name: 'Spring sale 25 %',
    description: '25 % off everything, up to 75 €, for the first 500 orders of the spring sale.',
    type: 'percentage',
    discountValue: 2500,
    minimumAmount: 5000,
    maximumDiscount: 7500,
    usageLimit: 500,
    usageLimitPerUser: 1,
    startsAt: new Date('2027-03-01T00:00:00Z'),
    endsAt: new Date('2027-05-31T23:59:59Z'),
    isActive: true,
  },
  {
    code: 'BLACKFRIDAY',
    name: 'Black Friday (ended)',
    description: 'Kept to show an expired coupon: 30 % off, ended.',
    type: 'percentage',
    discountValue: 3000,
    minimumAmount: null,
    maximumDiscount: 10000,
    usageLimit: null,
    usageLimitPerUser: 1,
    startsAt: new Date('2025-11-28T00:00:00Z'),
    endsAt: new Date('2025-12-01T23:59:59Z'),
    isActive: false,
  },
];

const EVERY_PRODUCT = { productIds: [], categoryIds: [], excludedProductIds: [], excludedCategoryIds: [] };

/**
 * Store-wide promotions (the catalog's category ids are made when the catalog is seeded, in
 * another database: a promotion for one category is created through CreatePromotion once they
 * are known). Together they show the stacking rule: the exclusive "3 for 2" competes alone against
 * the stackable volume and spend promotions together, and the larger discount wins.
 */
export const DEMO_PROMOTIONS: DemoPromotion[] = [
  {
    name: 'Three for the price of two',
    description: 'Buy three items, the cheapest is free. Does not combine with other promotions.',
    status: 'active',
    stackable: false,
    priority: 30,
    currency: null,
    startsAt: null,
    endsAt: null,
    rule: {
      kind: 'buy_x_get_y',
      target: EVERY_PRODUCT,
      buyQuantity: 2,
      getQuantity: 1,
      percentOffBp: 10000,
      maxApplications: 0,
    },
  },
  {
    name: 'Stock up',
    description: '5 % off from 5 items, 10 % off from 10.',
    status: 'active',
    stackable: true,
    priority: 20,
    currency: null,
    startsAt: null,
    endsAt: null,
    rule: {
      kind: 'volume_tiers',
      target: EVERY_PRODUCT,
      tiers: [
        { minQuantity: 5, percentOffBp: 500 },
        { minQuantity: 10, percentOffBp: 1000 },
      ],
    },
  },
  {
    name: 'Spend 150 €, save 10 %',
    description: '10 % off the whole basket from 150 €.',
    status: 'active',
    stackable: true,
    priority: 10,
    currency: 'EUR',
    startsAt: null,
    endsAt: null,
    rule: {
      kind: 'spend_amount',
      target: EVERY_PRODUCT,
      minSubtotal: 15000,
      benefit: { type: 'percent', bp: 1000 },
    },
  },
  {
    name: 'Winter free shipping',
    description: 'Free shipping on every order in January (paused until then).',
    status: 'paused',
    stackable: true,
    priority: 5,
    currency: null,
    startsAt: new Date('2027-01-01T00:00:00Z'),
    endsAt: new Date('2027-01-31T23:59:59Z'),
    rule: { kind: 'free_shipping', target: EVERY_PRODUCT, minSubtotal: 0 },
  },
];
