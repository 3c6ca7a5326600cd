import { permissionDenied, unauthenticated } from '../errors.js';
import { hasPermission, kindOf, type Principal } from './principal.js';

/**
 * Who may call an RPC. Every RPC declares one; `check` throws UNAUTHENTICATED when a non-public
 * RPC has no principal and PERMISSION_DENIED when the principal is of the wrong kind or lacks what
 * the rule asks. The rule is the whole answer to "which kinds of caller": a handler never refuses a
 * kind of caller its rule let through. Object-level checks (a customer's own cart) belong to the
 * handler, which takes the caller's identity from `accountIdOf` (principal.ts).
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

function refuseServices(principal: Principal): void {
  if (kindOf(principal) === 'service') {
    throw permissionDenied('a platform service cannot call this: it acts for a customer account');
  }
}

export const allow = {
  /** Anyone, with or without a token (a token that is present must still be valid). */
  public(): AccessRule {
    return { description: 'public', isPublic: true, check: () => {} };
  },

  /** Any caller with a valid access token, account or service. */
  authenticated(): AccessRule {
    return { description: 'authenticated', isPublic: false, check: (p) => void requirePrincipal(p) };
  },

  /**
   * A guest (no token) or a signed-in account acting for itself; a service token is refused, since
   * it is nobody's customer (a cart, say, is a guest's or a customer's).
   */
  guestOrAccount(): AccessRule {
    return {
      description: 'guest or account',
      isPublic: true,
      check(p) {
        if (p) refuseServices(p);
      },
    };
  },

  /** A signed-in account (customer, staff or admin) acting for itself; not a platform service. */
  account(): AccessRule {
    return {
      description: 'account',
      isPublic: false,
      check: (p) => refuseServices(requirePrincipal(p)),
    };
  },

  /** An account whose permissions include `permission` (or `*`), or who has the admin role. */
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
        if (kindOf(requirePrincipal(p)) !== 'service') {
          throw permissionDenied('only platform services may call this');
        }
      },
    };
  },

  /** Whoever one of `rules` lets through; otherwise the first rule's refusal. */
  anyOf(...rules: AccessRule[]): AccessRule {
    if (rules.length === 0) throw new Error('allow.anyOf needs at least one rule');
    return {
      description: rules.map((rule) => rule.description).join(' or '),
      isPublic: rules.some((rule) => rule.isPublic),
      check(p) {
        let refusal: unknown;
        for (const rule of rules) {
          try {
            rule.check(p);
            return;
          } catch (error) {
            refusal ??= error;
          }
        }
        throw refusal;
      },
    };
  },
};
