import type { ServiceConfig } from '../config/index.js';
import { connectNatsTransport, InProcessTransport, type EventTransport } from '../events/index.js';
import type { Logger } from '../log.js';

/**
 * NATS JetStream when NATS_URL is set (in EVENTS_NAMESPACE, if one is set); the in-process
 * transport otherwise (one process only).
 */
export async function createEventTransport(
  config: Pick<ServiceConfig, 'natsUrl' | 'eventsNamespace'> | undefined,
  name: string,
  logger: Logger,
): Promise<{ transport: EventTransport; inProcess: InProcessTransport | undefined }> {
  if (config?.natsUrl) {
    const transport = await connectNatsTransport(config.natsUrl, {
      name,
      logger,
      namespace: config.eventsNamespace,
    });
    return { transport, inProcess: undefined };
  }
  const inProcess = new InProcessTransport();
  return { transport: inProcess, inProcess };
}
