import type { EntityManager } from '@mikro-orm/postgresql';
import { failedPrecondition } from '../../../../lib/errors.js';

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
    throw failedPrecondition(`the profile of user ${userId} is not created yet; retry shortly`);
  }
}
