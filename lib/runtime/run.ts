import { loadServiceConfig, readInt } from '../config/index.js';
import { startMetricsServer } from '../metrics.js';
import { rootLogger } from '../log.js';
import { startMesh } from './mesh.js';
import { exitOnStartupFailure, stopOnSignals } from './process-signals.js';
import type { ServiceModule } from './service-module.js';

const DEFAULT_METRICS_PORT = 9464;

function metricsPort(): number {
  return readInt(process.env, 'METRICS_PORT', DEFAULT_METRICS_PORT, { min: 0, max: 65535 });
}

/** `make run`: every service in this process, embedded by default. */
export async function runMesh(modules: ServiceModule[]): Promise<void> {
  try {
    const started = Date.now();
    const mesh = await startMesh(modules);
    const closeMetrics = await startMetricsServer(metricsPort());
    const mode = process.env.NATS_URL ? 'NATS JetStream' : 'in-process events';
    const storage = process.env.DATABASE_URL
      ? 'PostgreSQL'
      : `embedded PGlite under ${process.env.DATA_DIR ?? './data'}`;
    process.stdout.write(`\nAll ${mesh.services().length} services are serving (${storage}, ${mode}):\n`);
    for (const service of mesh.services()) {
      process.stdout.write(`  ${service.name.padEnd(13)} 127.0.0.1:${service.port}\n`);
    }
    process.stdout.write(`Started in ${((Date.now() - started) / 1000).toFixed(1)} s. Ctrl-C stops.\n\n`);
    stopOnSignals(async () => {
      await closeMetrics();
      await mesh.stop();
    });
  } catch (error) {
    exitOnStartupFailure(error);
  }
}

/** `node dist/services/<name>/main.js`: one service per process, which needs NATS for its events. */
export async function runService(module: ServiceModule): Promise<void> {
  try {
    const config = loadServiceConfig(module.name);
    if (!config.natsUrl) {
      throw new Error(
        `NATS_URL is not set: a service started alone needs NATS JetStream for its events ` +
          `(the in-process transport only serves services in one process; use \`make run\` for that)`,
      );
    }
    const mesh = await startMesh([module]);
    const closeMetrics = await startMetricsServer(metricsPort());
    rootLogger.info({ service: module.name, port: mesh.services()[0]?.port }, 'serving');
    stopOnSignals(async () => {
      await closeMetrics();
      await mesh.stop();
    });
  } catch (error) {
    exitOnStartupFailure(error);
  }
}
