import { BUILT_IN_ROLES } from '../domain/built-in-roles.js';

/**
 * The roles of the demo store: the built-in ones (which the service also ensures on every start,
 * the same entries, so whichever comes first a role has the same permissions) and a warehouse
 * role. Permissions are `resource:action`; `*` grants every permission.
 */
export const DEMO_ROLES: { name: string; description: string; permissions: string[] }[] = [
  ...BUILT_IN_ROLES,
  {
    name: 'fulfilment',
    description: 'Warehouse staff: ships orders, receives returns, adjusts stock',
    permissions: ['order:read', 'shipping:write', 'return:read', 'return:write', 'inventory:write'],
  },
];

/** Who the demo administrator is when AUTH_BOOTSTRAP_ADMIN_EMAIL is not set. */
export const DEFAULT_DEMO_ADMIN_EMAIL = 'admin@example.com';
