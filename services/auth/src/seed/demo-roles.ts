/**
 * The staff roles of the demo store, beside the built-in `customer` and `admin` (which the service
 * ensures on every start; listed here too so that a seeded database has them even before one).
 * Permissions are `resource:action`; `*` grants every permission.
 */
export const DEMO_ROLES: { name: string; description: string; permissions: string[] }[] = [
  {
    name: 'customer',
    description: 'A shopper: their own profile, carts, orders and returns',
    permissions: [],
  },
  { name: 'admin', description: 'Full access to every service', permissions: ['*'] },
  {
    name: 'support',
    description: 'Customer support: reads customers and orders, handles returns and refunds',
    permissions: ['user:read', 'order:read', 'order:write', 'return:read', 'return:write', 'payment:refund'],
  },
  {
    name: 'catalog_manager',
    description: 'Maintains the catalog, stock, coupons and promotions',
    permissions: ['product:read', 'product:write', 'inventory:write', 'discount:write'],
  },
  {
    name: 'fulfilment',
    description: 'Warehouse staff: ships orders, receives returns, adjusts stock',
    permissions: ['order:read', 'shipping:write', 'return:write', 'inventory:write'],
  },
];

/** Who the demo administrator is when AUTH_BOOTSTRAP_ADMIN_EMAIL is not set. */
export const DEFAULT_DEMO_ADMIN_EMAIL = 'admin@example.com';
