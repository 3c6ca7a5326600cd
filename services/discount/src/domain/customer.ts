import type { Customer } from '../../../../gen/ecommerce/discount/v1/discount.js';
import { emailProblem, type Violations } from '../../../../lib/validation/index.js';

/** Who is buying, as coupon limits count them: a user, or a guest by lower-cased email. */
export type CustomerKey = { userId: string; guestEmail: null } | { userId: null; guestEmail: string };

/** A request's `customer`, checked (`customer.user_id`, `customer.guest_email`); null when absent. */
export function checkCustomer(
  v: Violations,
  input: Customer | undefined,
  required: boolean,
): CustomerKey | null {
  const identity = input?.identity;
  if (!identity) {
    if (required) v.add('customer', 'a user_id or a guest_email is required');
    return null;
  }
  if (identity.$case === 'userId')
    return { userId: v.uuid('customer.user_id', identity.value), guestEmail: null };
  const email = identity.value.trim().toLowerCase();
  const problem = emailProblem(email);
  if (problem) v.add('customer.guest_email', problem);
  return { userId: null, guestEmail: email };
}
