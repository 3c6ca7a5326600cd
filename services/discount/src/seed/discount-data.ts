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

export interface DemoPromotion {
  name: string;
  description: string;
  type:
    'buy_x_get_y' | 'bundle' | 'volume_discount' | 'percentage_off' | 'fixed_amount_off' | 'free_shipping';
  status: 'draft' | 'active' | 'paused' | 'expired';
  stackable: boolean;
  priority: number;
  startsAt: Date | null;
  endsAt: Date | null;
  configuration: Record<string, unknown>;
  rules: {
    ruleType: 'buy_quantity' | 'spend_amount' | 'product_match' | 'category_match';
    conditions: Record<string, unknown>;
    actions: Record<string, unknown>;
    priority: number;
  }[];
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

export const DEMO_PROMOTIONS: DemoPromotion[] = [
  {
    name: 'Three tees for the price of two',
    description: "Buy three men's t-shirts, the cheapest is free.",
    type: 'buy_x_get_y',
    status: 'active',
    stackable: false,
    priority: 30,
    startsAt: null,
    endsAt: null,
    configuration: { buy: 3, free: 1, cheapestFree: true },
    rules: [
      {
        ruleType: 'category_match',
        conditions: { categorySlugs: ['men-t-shirts'] },
        actions: {},
        priority: 1,
      },
      {
        ruleType: 'buy_quantity',
        conditions: { minQuantity: 3 },
        actions: { freeItems: 1, cheapestFirst: true },
        priority: 0,
      },
    ],
  },
  {
    name: 'Spend 150 €, save 10 %',
    description: '10 % off the whole basket from 150 €.',
    type: 'volume_discount',
    status: 'active',
    stackable: true,
    priority: 10,
    startsAt: null,
    endsAt: null,
    configuration: { percentOff: 10 },
    rules: [
      {
        ruleType: 'spend_amount',
        conditions: { minAmount: 15000, currency: 'EUR' },
        actions: { percentOff: 10 },
        priority: 0,
      },
    ],
  },
  {
    name: 'Camping bundle',
    description: 'A tent and a backpack together: 15 % off both.',
    type: 'bundle',
    status: 'active',
    stackable: false,
    priority: 20,
    startsAt: null,
    endsAt: null,
    configuration: { percentOff: 15 },
    rules: [
      {
        ruleType: 'category_match',
        conditions: { allOfCategorySlugs: ['tents', 'backpacks'] },
        actions: { percentOff: 15, appliesTo: 'matched_items' },
        priority: 0,
      },
    ],
  },
  {
    name: 'Winter free shipping',
    description: 'Free shipping on every order in January (paused until then).',
    type: 'free_shipping',
    status: 'paused',
    stackable: true,
    priority: 5,
    startsAt: new Date('2027-01-01T00:00:00Z'),
    endsAt: new Date('2027-01-31T23:59:59Z'),
    configuration: {},
    rules: [
      {
        ruleType: 'spend_amount',
        conditions: { minAmount: 0, currency: 'EUR' },
        actions: { freeShipping: true },
        priority: 0,
      },
    ],
  },
];
