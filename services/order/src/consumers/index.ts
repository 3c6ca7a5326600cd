import { startConsumer } from '../../../../lib/events/index.js';
import type { ServiceRuntime } from '../../../../lib/runtime/service-module.js';
import type { OrderConsumer } from './order-consumer.js';
import { refundProgress } from './refund-progress.js';
import { shipmentProgress } from './shipment-progress.js';

/** Every consumer of the order service, one a file. */
const ORDER_CONSUMERS: OrderConsumer[] = [shipmentProgress, refundProgress];

/** Starts every consumer of the order service, each handed to `dispose`. */
export async function startOrderConsumers(runtime: ServiceRuntime): Promise<void> {
  const { orm, events, logger, dispose } = runtime;
  for (const definition of ORDER_CONSUMERS) {
    const running = await startConsumer({
      orm,
      transport: events,
      consumer: definition.consumer,
      source: definition.source,
      handlers: definition.handlers(runtime),
      logger,
    });
    dispose(running.name, () => running.stop());
  }
}
