import type { EntityManager } from '@mikro-orm/postgresql';
import type { GetPaymentResponse } from '../../../../gen/ecommerce/payment/v1/payment.js';
import { notFound } from '../../../../lib/errors.js';
import { requireUuid } from '../../../../lib/validation/index.js';
import type { PaymentReader } from './payment-access.js';
import {
  findPayment,
  paymentMessage,
  refundMessage,
  refundsOf,
  transactionMessage,
  transactionsOf,
} from './payment-records.js';

/** One payment with its gateway operations and refunds; another customer's is NOT_FOUND. */
export async function getPayment(
  em: EntityManager,
  reader: PaymentReader,
  paymentId: string,
): Promise<GetPaymentResponse> {
  const id = requireUuid('payment_id', paymentId);
  const payment = await findPayment(em, { id });
  if (!payment || (reader.kind === 'customer' && payment.userId !== reader.userId))
    throw notFound('payment', id);
  return {
    payment: paymentMessage(payment),
    transactions: (await transactionsOf(em, id)).map(transactionMessage),
    refunds: (await refundsOf(em, id)).map(refundMessage),
  };
}
