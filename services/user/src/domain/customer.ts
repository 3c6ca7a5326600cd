import type { EntityManager } from '@mikro-orm/postgresql';
import { UserReason } from '../../../../lib/error-reasons.js';
import type { Principal } from '../../../../lib/auth/principal.js';
import { failedPrecondition, permissionDenied } from '../../../../lib/errors.js';
import { isUuid } from '../../../../lib/ids.js';

/**
 * The customer a "My" RPC acts for: the token's subject, never an id from the request. A service
 * token (whose subject is a service name, not a user id) has no profile, address book or wallet.
 */
export function customerIdOf(principal: Principal | undefined): string {
  const userId = principal?.userId ?? '';
  if (!isUuid(userId)) throw permissionDenied('only customer accounts have a profile');
  return userId;
}

/**
 * Takes the row lock on the customer's profile inside `tx`: every change to one customer's address
 * book, wallet, preferences or wishlist runs one after the other, so "one default per type", "the
 * first becomes the default" and the size limits hold however many requests arrive at once (the
 * partial unique indexes stay as the last line of defence). A customer whose registration event has
 * not been processed yet has no profile to lock: FAILED_PRECONDITION, retry shortly.
 */
export async function lockCustomer(tx: EntityManager, userId: string): Promise<void> {
  const rows = await tx.execute<{ id: string }[]>(
    'SELECT id FROM user_profiles WHERE user_id = ? FOR UPDATE',
    [userId],
  );
  if (rows.length === 0) {
    throw failedPrecondition(
      `the profile of user ${userId} is not created yet; retry shortly`,
      UserReason.PROFILE_NOT_READY,
    );
  }
}
