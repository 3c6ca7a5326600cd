import { permissionDenied, unauthenticated } from '../errors.js';
import { hasPermission, SERVICE_ROLE, type Principal } from './principal.js';

/**
 * Who may call an RPC. Every RPC declares one; `check` throws UNAUTHENTICATED when a non-public
 * RPC has no principal and PERMISSION_DENIED when the principal lacks what the rule asks.
 * Object-level checks (a customer's own cart) belong to the handler, which sees the principal.
 */
export interface AccessRule {
  readonly description: string;
  readonly isPublic: boolean;
  check(principal: Principal | undefined): void;
}

function requirePrincipal(principal: Principal | undefined): Principal {
  if (!principal) throw unauthenticated('missing bearer token');
  return principal;
}

export const allow = {
  /** Anyone, with or without a token (a token that is present must still be valid). */
  public(): AccessRule {
    return { description: 'public', isPublic: true, check: () => {} };
  },

  /** Any caller with a valid access token. */
  authenticated(): AccessRule {
    return { description: 'authenticated', isPublic: false, check: (p) => void requirePrincipal(p) };
  },

  /** A caller whose permissions include `permission` (or `*`), or who has the admin role. */
  permission(permission: string): AccessRule {
    return {
      description: `permission ${permission}`,
      isPublic: false,
      check(p) {
        if (!hasPermission(requirePrincipal(p), permission)) {
          throw permissionDenied(`requires permission ${permission}`);
        }
      },
    };
  },

  /** Another service of the platform (a principal with the `service` role). */
  internal(): AccessRule {
    return {
      description: 'internal',
      isPublic: false,
      check(p) {
        if (!requirePrincipal(p).roles.includes(SERVICE_ROLE)) {
          throw permissionDenied('only platform services may call this');
        }
      },
    };
  },
};
