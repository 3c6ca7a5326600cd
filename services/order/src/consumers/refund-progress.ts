import { on } from '../../../../lib/events/index.js';
import { PaymentRefundedEvent } from '../../../../lib/events/catalog.js';
import { recordRefund } from '../domain/record-refund.js';
import type { OrderConsumer } from './order-consumer.js';

/** The order's status follows its payment's refunds (partially refunded, refunded). */
export const refundProgress: OrderConsumer = {
  consumer: 'order-refund-progress',
  source: 'payment',
  handlers: ({ logger }) => [on(PaymentRefundedEvent, (tx, event) => recordRefund(tx, event, logger))],
};
