import { permissionDenied } from '../errors.js';
import { isUuid } from '../ids.js';

/** Who is calling: the verified claims of an access token. */
export interface Principal {
  userId: string;
  email: string;
  roles: string[];
  permissions: string[];
  /**
   * The login session the token belongs to (the refresh-token family, `sid` claim); absent for
   * service tokens. Logout and ChangePassword use it to tell "this session" from the others.
   */
  sessionId?: string;
}

/** The role an administrator has; it grants every permission. */
export const ADMIN_ROLE = 'admin';
/** The role of another service of the platform calling on its own behalf. */
export const SERVICE_ROLE = 'service';
/** A permission entry that grants every permission. */
export const ALL_PERMISSIONS = '*';

/**
 * The two kinds of principal: an `account` (a person who signed in: a customer, or staff and
 * admins, who are customers with more permissions) and a platform `service` (a service token,
 * whose subject is the service's name, not a user id).
 */
export type PrincipalKind = 'account' | 'service';

export function kindOf(principal: Principal): PrincipalKind {
  return principal.roles.includes(SERVICE_ROLE) ? 'service' : 'account';
}

/** An account holding `permission` (or `*`, or the admin role). A service holds no permission. */
export function hasPermission(principal: Principal, permission: string): boolean {
  if (kindOf(principal) === 'service') return false;
  return (
    principal.roles.includes(ADMIN_ROLE) ||
    principal.permissions.includes(ALL_PERMISSIONS) ||
    principal.permissions.includes(permission)
  );
}

/** The caller holds `permission` (a caller without a token holds none). */
export function callerHolds(principal: Principal | undefined, permission: string): boolean {
  return principal !== undefined && hasPermission(principal, permission);
}

/**
 * The user id of the account acting for itself (a customer's own cart, profile, review; an admin's
 * own audit trail). Handlers take the caller's identity only from here: a service token, or no
 * token, is PERMISSION_DENIED rather than a service name reaching a user-id column.
 */
export function accountIdOf(principal: Principal | undefined): string {
  if (!principal || kindOf(principal) !== 'account' || !isUuid(principal.userId)) {
    throw permissionDenied('only a signed-in customer account may do this');
  }
  return principal.userId;
}

/** The account acting for itself, whole (its session id, email, roles). */
export function accountOf(principal: Principal | undefined): Principal {
  accountIdOf(principal);
  return principal!;
}
