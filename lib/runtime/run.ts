import { loadProcessSettings, loadServiceConfig, type ServiceConfig } from '../config/index.js';
import { startMetricsServer } from '../metrics.js';
import { rootLogger } from '../log.js';
import { startMesh, type Mesh } from './mesh.js';
import { exitOnStartupFailure, stopOnSignals } from './process-signals.js';
import type { ServiceModule } from './service-module.js';

/** `make run`: every service in this process, embedded by default. */
export async function runMesh(modules: ServiceModule[]): Promise<void> {
  try {
    const started = Date.now();
    const settings = loadProcessSettings();
    const mesh = await startMesh(modules);
    const metrics = await startMetricsServer(settings.metricsPort, settings.metricsHost).catch(
      async (error: unknown) => {
        await mesh.stop();
        throw error;
      },
    );
    announce(mesh, loadServiceConfig(modules[0]!.name), (Date.now() - started) / 1000);
    stopOnSignals(async () => {
      await metrics.close();
      await mesh.stop();
    });
  } catch (error) {
    exitOnStartupFailure(error);
  }
}

/** A banner for a person at a terminal; one JSON line for anything reading the output. */
function announce(mesh: Mesh, config: ServiceConfig, seconds: number): void {
  const mode = config.natsUrl ? 'NATS JetStream' : 'in-process events';
  const storage = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite under ${config.dataDir}`;
  if (!process.stdout.isTTY) {
    const ports = Object.fromEntries(mesh.services().map((service) => [service.name, service.port]));
    rootLogger.info({ ports, storage, events: mode, seconds }, 'all services serving');
    return;
  }
  process.stdout.write(`\nAll ${mesh.services().length} services are serving (${storage}, ${mode}):\n`);
  for (const service of mesh.services()) {
    process.stdout.write(`  ${service.name.padEnd(13)} 127.0.0.1:${service.port}\n`);
  }
  process.stdout.write(`Started in ${seconds.toFixed(1)} s. Ctrl-C stops.\n\n`);
}

/** `node dist/services/<name>/main.js`: one service per process, which needs NATS for its events. */
export async function runService(module: ServiceModule): Promise<void> {
  try {
    const settings = loadProcessSettings();
    const config = loadServiceConfig(module.name);
    if (!config.natsUrl) {
      throw new Error(
        `NATS_URL is not set: a service started alone needs NATS JetStream for its events ` +
          `(the in-process transport only serves services in one process; use \`make run\` for that)`,
      );
    }
    const mesh = await startMesh([module]);
    const metrics = await startMetricsServer(settings.metricsPort, settings.metricsHost).catch(
      async (error: unknown) => {
        await mesh.stop();
        throw error;
      },
    );
    rootLogger.info({ service: module.name, port: mesh.services()[0]?.port }, 'serving');
    stopOnSignals(async () => {
      await metrics.close();
      await mesh.stop();
    });
  } catch (error) {
    exitOnStartupFailure(error);
  }
}
