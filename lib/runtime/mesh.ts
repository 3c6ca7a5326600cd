import { loadServiceConfig, type Env } from '../config/index.js';
import { createAuthServiceVerifier } from '../auth/auth-service-verifier.js';
import { rootLogger } from '../log.js';
import { createEventTransport } from './event-transport.js';
import { startService, type RunningService } from './host.js';
import type { ServiceModule } from './service-module.js';

export interface Mesh {
  services: RunningService[];
  stop(): Promise<void>;
}

/**
 * Starts several services in this process, each on its own gRPC port, sharing one event transport
 * (in-process unless NATS_URL is set). Services start one after another in the order given (their
 * embedded databases open one at a time); the in-process transport opens only when every consumer
 * is registered, so no event published at start is missed.
 */
export async function startMesh(modules: ServiceModule[], env: Env = process.env): Promise<Mesh> {
  const logger = rootLogger.child({ component: 'mesh' });
  const configs = modules.map((module) => loadServiceConfig(module.name, env));
  const { transport, inProcess } = await createEventTransport(configs[0]?.natsUrl, 'ecommerce-mesh', logger);
  const verifier = createAuthServiceVerifier(env);
  const services: RunningService[] = [];
  const stop = async (): Promise<void> => {
    for (const service of [...services].reverse()) await service.stop();
    await transport.close();
  };
  try {
    for (const [index, module] of modules.entries()) {
      services.push(await startService(module, { config: configs[index]!, events: transport, verifier }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  inProcess?.open();
  return { services, stop };
}
