import type { EntityManager } from '@mikro-orm/postgresql';
import { StateMachine } from '../../../../lib/state-machine.js';
import type { PaymentStatus } from '../entities/payment.js';

/**
 * The allowed status changes of a payment, the one place that knows them. Every change moves
 * forward: nothing leads back to `pending` or `authorized`, and `refunded`, `voided`, `failed` are
 * final. So whatever order the gateway's answers and webhooks arrive in, a payment never moves
 * back (a late "captured" after "refunded" is not a change the table allows).
 */
export const paymentStatuses = new StateMachine<PaymentStatus, EntityManager>('payment', {
  pending: ['authorized', 'failed'],
  authorized: ['captured', 'voided'],
  captured: ['partially_refunded', 'refunded'],
  partially_refunded: ['refunded'],
  refunded: [],
  voided: [],
  failed: [],
});
