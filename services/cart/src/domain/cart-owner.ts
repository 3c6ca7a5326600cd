import { accountIdOf, type Principal } from '../../../../lib/auth/principal.js';
import { invalidArgument, notFound } from '../../../../lib/errors.js';

/** Whose cart: a signed-in customer's, or a guest's identified by its session id. */
export type CartOwner = { userId: string } | { sessionId: string };

const SESSION_ID = /^[A-Za-z0-9_-]{16,128}$/;

/** The caller's token decides; without one, the guest session id from the request does. */
export function cartOwnerOf(principal: Principal | undefined, sessionId: string): CartOwner {
  if (principal) return { userId: accountIdOf(principal) };
  if (sessionId === '')
    throw invalidArgument('session_id', 'is required for a guest (a caller without an access token)');
  return guestOwnerOf(sessionId);
}

/** What is wrong with a guest session id; undefined when it is well-formed. */
export function sessionIdFault(sessionId: string): string | undefined {
  if (sessionId === '') return 'is required';
  if (!SESSION_ID.test(sessionId)) return 'must be 16-128 characters of letters, digits, _ or -';
  return undefined;
}

/** The guest identified by a session id (the id is the guest's secret: holding it is owning its carts). */
export function guestOwnerOf(sessionId: string): { sessionId: string } {
  const fault = sessionIdFault(sessionId);
  if (fault) throw invalidArgument('session_id', fault);
  return { sessionId };
}

export function owns(owner: CartOwner, cart: { userId?: string | null; sessionId?: string | null }): boolean {
  return 'userId' in owner
    ? cart.userId === owner.userId
    : cart.userId == null && cart.sessionId === owner.sessionId;
}

/** Someone else's cart is NOT_FOUND: we do not confirm it exists. */
export function requireOwn<T extends { userId: string | null; sessionId: string | null }>(
  owner: CartOwner,
  cart: T | undefined,
  cartId: string,
): T {
  if (!cart || !owns(owner, cart)) throw notFound('cart', cartId);
  return cart;
}
