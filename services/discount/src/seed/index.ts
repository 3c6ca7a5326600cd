export { seedDiscountDemo } from './seed-discounts.js';
export { DEMO_COUPONS, DEMO_PROMOTIONS } from './discount-data.js';
