import type { ServiceName } from '../lib/config/index.js';
import type { DemoSeed } from '../lib/runtime/demo-seed.js';
import { seedAuthDemo } from '../services/auth/src/seed/index.js';
import { seedDiscountDemo } from '../services/discount/src/seed/index.js';
import { seedNotificationDemo } from '../services/notification/src/seed/index.js';
import { seedProductDemo } from '../services/product/src/seed/index.js';
import { seedShippingDemo } from '../services/shipping/src/seed/index.js';

/** The services that have demo data, and how each loads it into its own database. */
export const DEMO_SEEDS: Partial<Record<ServiceName, DemoSeed>> = {
  auth: seedAuthDemo,
  product: seedProductDemo,
  notification: seedNotificationDemo,
  discount: seedDiscountDemo,
  shipping: seedShippingDemo,
};
