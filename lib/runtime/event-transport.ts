import { connectNatsTransport, InProcessTransport, type EventTransport } from '../events/index.js';
import type { Logger } from '../log.js';

/** NATS JetStream when NATS_URL is set; the in-process transport otherwise (one process only). */
export async function createEventTransport(
  natsUrl: string | undefined,
  name: string,
  logger: Logger,
): Promise<{ transport: EventTransport; inProcess: InProcessTransport | undefined }> {
  if (natsUrl) {
    return { transport: await connectNatsTransport(natsUrl, { name, logger }), inProcess: undefined };
  }
  const inProcess = new InProcessTransport();
  return { transport: inProcess, inProcess };
}
