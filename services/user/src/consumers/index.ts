import { eventRetentionFrom, startConsumer } from '../../../../lib/events/index.js';
import type { ServiceRuntime } from '../../../../lib/runtime/service-module.js';
import { authEventHandlers, productEventHandlers } from './bindings.js';
import { eventLogInbox } from './event-log-inbox.js';
import { startEventLogRetention } from './event-log-retention.js';

/** Every event the user service consumes, recorded in its event log, and the log's retention. */
export async function startUserConsumers({
  orm,
  events,
  env,
  logger,
  dispose,
}: ServiceRuntime): Promise<void> {
  const common = { orm, transport: events, inbox: eventLogInbox, logger };
  const fromAuth = await startConsumer({
    ...common,
    consumer: 'user-from-auth',
    source: 'auth',
    handlers: authEventHandlers,
  });
  dispose(fromAuth.name, () => fromAuth.stop());
  const fromProduct = await startConsumer({
    ...common,
    consumer: 'user-from-product',
    source: 'product',
    handlers: productEventHandlers,
  });
  dispose(fromProduct.name, () => fromProduct.stop());
  const retention = startEventLogRetention(orm, eventRetentionFrom(env), logger);
  dispose(retention.name, () => retention.stop());
}
