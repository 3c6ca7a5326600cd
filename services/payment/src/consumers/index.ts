import { on, startConsumer } from '../../../../lib/events/index.js';
import { OrderConfirmedEvent } from '../../../../lib/events/catalog.js';
import type { ServiceRuntime } from '../../../../lib/runtime/service-module.js';
import { confirmOrderPayment, confirmOrderPaymentAtOnce } from '../domain/confirm-order.js';

/** Every event the payment service consumes: a confirmed order confirms its payment. */
export async function startPaymentConsumers({ orm, events, logger, dispose }: ServiceRuntime): Promise<void> {
  const orders = await startConsumer({
    orm,
    transport: events,
    consumer: 'payment-orders',
    source: 'order',
    handlers: [
      on(OrderConfirmedEvent, (em, event) => confirmOrderPayment(em, event, logger), {
        atOnce: (em, event, _envelope, claim) => confirmOrderPaymentAtOnce(em, event, claim, logger),
      }),
    ],
    logger,
  });
  dispose(orders.name, () => orders.stop());
}
