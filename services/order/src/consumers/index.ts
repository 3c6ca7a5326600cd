import { startConsumer, type EventHandlerBinding } from '../../../../lib/events/index.js';
import type { ServiceRuntime } from '../../../../lib/runtime/service-module.js';
import { shipmentProgressConsumer } from './shipment-progress.js';

/** Every consumer of the order service: one durable each, with the events it handles. */
const CONSUMERS: { consumer: string; source: string; handlers: EventHandlerBinding[] }[] = [
  shipmentProgressConsumer,
];

export async function startOrderConsumers({
  orm,
  events,
  logger,
  dispose,
}: Pick<ServiceRuntime, 'orm' | 'events' | 'logger' | 'dispose'>): Promise<void> {
  for (const options of CONSUMERS) {
    const running = await startConsumer({ orm, transport: events, logger, ...options });
    dispose(running.name, () => running.stop());
  }
}
