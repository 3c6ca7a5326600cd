import type { MikroORM } from '@mikro-orm/postgresql';
import { eventRetentionFrom, startConsumer, type EventTransport } from '../../../../lib/events/index.js';
import type { Env } from '../../../../lib/config/index.js';
import type { Logger } from '../../../../lib/log.js';
import type { BackgroundTask } from '../../../../lib/runtime/service-module.js';
import { authEventHandlers, productEventHandlers } from './bindings.js';
import { eventLogInbox } from './event-log-inbox.js';
import { startEventLogRetention } from './event-log-retention.js';

/** Every event the user service consumes, recorded in its event log, and the log's retention. */
export async function startUserConsumers(runtime: {
  orm: MikroORM;
  events: EventTransport;
  env: Env;
  logger: Logger;
}): Promise<BackgroundTask[]> {
  const { orm, events: transport, logger } = runtime;
  const common = { orm, transport, inbox: eventLogInbox, logger };
  return [
    await startConsumer({
      ...common,
      consumer: 'user-from-auth',
      source: 'auth',
      handlers: authEventHandlers,
    }),
    await startConsumer({
      ...common,
      consumer: 'user-from-product',
      source: 'product',
      handlers: productEventHandlers,
    }),
    startEventLogRetention(orm, eventRetentionFrom(runtime.env), logger),
  ];
}
