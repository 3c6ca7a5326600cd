import type { EntityManager } from '@mikro-orm/postgresql';
import type { PaymentProvider } from '../providers/payment-provider.js';
import { begunFromKey, pendingTransaction, refuseSecondSettlement } from './capture-payment.js';
import { SCOPE_OF } from './gateway-operation.js';
import { carryOut, claimOperation, type Begun } from './money-operation.js';
import type { OperationResult } from './operation-answer.js';
import type { VoidInput } from './payment-input.js';
import { requirePayment } from './payment-records.js';
import { paymentStatuses } from './payment-status.js';

/**
 * Releases the hold of an authorised payment never captured. Under the payment's row lock: the
 * status table must allow `voided` (INVALID_STATUS_TRANSITION), with no capture or void under way
 * (PAYMENT_OPERATION_IN_PROGRESS). Idempotent by key (scope `void-payment`).
 */
export async function voidPayment(
  em: EntityManager,
  provider: PaymentProvider,
  input: VoidInput,
): Promise<OperationResult> {
  const { idempotencyKey: key, ...request } = input;
  const begun = await em.transactional(async (tx): Promise<Begun> => {
    const claim = await claimOperation(tx, { scope: SCOPE_OF.void, key, request });
    const found = await begunFromKey(tx, 'void', claim, input.paymentId, key);
    if (found) return found;
    const payment = await requirePayment(tx, input.paymentId, true);
    paymentStatuses.assertAllowed(payment.id, payment.status, 'voided');
    await refuseSecondSettlement(tx, payment.id);
    return pendingTransaction(tx, 'void', payment, payment.amountAuthorized, key);
  });
  return carryOut(em, provider, begun);
}
