import { loadProcessSettings, loadServiceConfig, type Env, type ServiceConfig } from '../config/index.js';
import { breakerOptionsFrom } from '../grpc/breaker-config.js';
import { createAuthServiceVerifier } from '../auth/auth-service-verifier.js';
import { prepareEmbeddedDatabase } from '../db/pglite.js';
import type { EventTransport } from '../events/index.js';
import { rootLogger } from '../log.js';
import { createEventTransport } from './event-transport.js';
import { startService, type HostDependencies, type RunningService } from './host.js';
import type { ServiceModule } from './service-module.js';

export interface Mesh {
  /** The services running now, in start order. */
  services(): RunningService[];
  events: EventTransport;
  /** Stops one service (its port stops answering); `startService` brings it back on the same port. */
  stopService(name: string): Promise<void>;
  startService(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts several services in this process, each on its own gRPC port, sharing one event transport
 * (in-process unless NATS_URL is set). Services start one after another in the order given (their
 * embedded databases open one at a time, while the copies of the later ones' data directories are
 * already under way); the in-process transport opens only when every consumer is registered, so no
 * event published at start is missed.
 */
export async function startMesh(modules: ServiceModule[], env: Env = process.env): Promise<Mesh> {
  const logger = rootLogger.child({ component: 'mesh' });
  // Settings read later (a client's breaker, a pool's size) are checked now, before anything starts.
  loadProcessSettings(env);
  breakerOptionsFrom(env);
  const configs = new Map<string, ServiceConfig>(
    modules.map((m) => [m.name, loadServiceConfig(m.name, env)]),
  );
  const { transport, inProcess } = await createEventTransport(
    configs.get(modules[0]?.name ?? ''),
    'ecommerce-mesh',
    logger,
  );
  // One verifier for the process: the auth service's keys are fetched once, not once per service.
  const verifier = createAuthServiceVerifier(env);
  const deps = (name: string): HostDependencies => ({
    config: configs.get(name)!,
    env,
    events: transport,
    verifier,
  });
  const running = new Map<string, RunningService>();
  const moduleNamed = (name: string): ServiceModule => {
    const module = modules.find((m) => m.name === name);
    if (!module) throw new Error(`service ${name} is not part of this mesh`);
    return module;
  };

  const mesh: Mesh = {
    services: () => modules.flatMap((m) => running.get(m.name) ?? []),
    events: transport,
    async stopService(name) {
      const service = running.get(name);
      running.delete(name);
      await service?.stop();
    },
    async startService(name) {
      if (running.has(name)) return;
      running.set(name, await startService(moduleNamed(name), deps(name)));
    },
    async stop() {
      const services = mesh.services().reverse();
      await Promise.all(services.map((service) => service.stopIntake()));
      for (const service of services) await mesh.stopService(service.name);
      await transport.close();
      verifier.close();
    },
  };
  for (const module of modules) {
    const config = configs.get(module.name)!;
    // Each service awaits its own copy when it opens its database; a failure surfaces there.
    if (!config.databaseUrl) prepareEmbeddedDatabase(config.dataDir, module.database.name).catch(() => {});
  }
  try {
    for (const module of modules) await mesh.startService(module.name);
  } catch (error) {
    await mesh.stop();
    throw error;
  }
  inProcess?.open();
  return mesh;
}
