import { accountIdOf, callerHolds, kindOf, type Principal } from '../../../../lib/auth/index.js';

/** Who reads payments: a customer only their own; 'payment:read' accounts and services any. */
export type PaymentReader = { kind: 'any' } | { kind: 'customer'; userId: string };

export const PAYMENT_READ_PERMISSION = 'payment:read';

export function paymentReaderOf(principal: Principal | undefined): PaymentReader {
  if (principal && (kindOf(principal) === 'service' || callerHolds(principal, PAYMENT_READ_PERMISSION))) {
    return { kind: 'any' };
  }
  return { kind: 'customer', userId: accountIdOf(principal) };
}
