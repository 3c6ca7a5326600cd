import type { EntityManager } from '@mikro-orm/postgresql';
import { ADMIN_ROLE, ALL_PERMISSIONS } from '../../../../lib/auth/principal.js';
import { newId } from '../../../../lib/ids.js';
import { CUSTOMER_ROLE } from './registration.js';

/**
 * The roles the code itself relies on: every account gets `customer` at registration, and `admin`
 * holds every permission; `support` and `catalog_manager` are the staff roles an admin can assign
 * (there is no RPC to create roles yet). Ensured on every start (insert if missing), so no installation can lack
 * them; their permissions stay editable by admins.
 */
export const BUILT_IN_ROLES: { name: string; description: string; permissions: string[] }[] = [
  {
    name: CUSTOMER_ROLE,
    description: 'A shopper: their own profile, carts, orders and returns',
    permissions: [],
  },
  { name: ADMIN_ROLE, description: 'Full access to every service', permissions: [ALL_PERMISSIONS] },
  {
    name: 'support',
    description:
      'Customer support: reads accounts, roles and the security audit log; handles orders, returns and refunds; reads shipments',
    permissions: [
      'audit:read',
      'role:read',
      'user:read',
      'order:read',
      'order:write',
      'return:read',
      'return:write',
      'payment:refund',
      'shipping:read',
    ],
  },
  {
    name: 'catalog_manager',
    description: 'Maintains the catalog, stock, coupons and promotions',
    permissions: ['product:read', 'product:write', 'inventory:write', 'discount:write'],
  },
];

export async function ensureBuiltInRoles(em: EntityManager): Promise<void> {
  for (const role of BUILT_IN_ROLES) {
    await em.execute(
      `INSERT INTO roles (id, name, description, permissions, created_at, updated_at)
       VALUES (?, ?, ?, ?::text[], now(), now()) ON CONFLICT (name) DO NOTHING`,
      [newId(), role.name, role.description, `{${role.permissions.map((p) => `"${p}"`).join(',')}}`],
    );
  }
}
