import type { EventHandlerBinding } from '../../../../lib/events/index.js';
import type { ServiceRuntime } from '../../../../lib/runtime/service-module.js';

/** One consumer of the order service: its durable name, the service it listens to, its handlers. */
export interface OrderConsumer {
  consumer: string;
  source: string;
  handlers(runtime: ServiceRuntime): EventHandlerBinding[];
}
