import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabases, openDatabase, type Database } from '../../lib/db/index.js';
import { databaseUrlFor, SERVICE_NAMES, type ServiceName } from '../../lib/config/index.js';
import { resetBreakers } from '../../lib/grpc/index.js';
import type { EventTransport } from '../../lib/events/index.js';
import { startMesh } from '../../lib/runtime/mesh.js';
import { ProcessMesh } from '../../lib/runtime/process-mesh.js';
import { ALL_SERVICES } from '../../services/registry.js';
import { freePort } from '../../lib/testing/free-port.js';

export const ADMIN_EMAIL = 'admin@test.example';
export const ADMIN_PASSWORD = 'harness-secret-pw-1';

export interface TestMesh {
  /** Where the embedded databases and the auth service's development signing key live. */
  dataDir: string;
  address(name: ServiceName): string;
  /** The event transport the services share (in-process meshes only), to observe events in tests. */
  events?: EventTransport;
  /**
   * The mesh's own EVENTS_NAMESPACE (under the run's): on NATS its streams, subjects and durables
   * are apart from every other mesh's, so events a test file left unconsumed never reach the next.
   */
  eventsNamespace: string;
  /**
   * A service's own database, for a fixture that writes what no RPC writes yet (the running
   * service's connection in process; a connection of the test's own to the service's database at
   * DATABASE_URL with MESH=processes, closed by `stop`).
   */
  database(name: ServiceName): Promise<Database>;
  /** Stops one service (its port stops answering) and starts it again. */
  stopService(name: ServiceName): Promise<void>;
  startService(name: ServiceName): Promise<void>;
  /**
   * Kills one service's process outright (SIGKILL: no drain, no clean shutdown), as a crash would;
   * `startService` starts it again. Only a process mesh (MESH=processes) can: in one process it throws.
   */
  killService(name: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

/** The run's namespace (lib/testing/events-namespace.ts) and the mesh's id: 32 characters at most. */
function meshEventsNamespace(runId: string): string {
  return `${process.env.EVENTS_NAMESPACE ?? 't'}_${runId}`.slice(0, 32);
}

/** Every service gets a port chosen now (those not started too, so a client of one finds nothing). */
async function testEnv(
  runId: string,
  dataDir: string,
  ports: Partial<Record<ServiceName, number>>,
  settings: Record<string, string>,
): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...settings,
    DATA_DIR: dataDir,
    METRICS_PORT: '0',
    BREAKER_RESET_TIMEOUT_MS: '1500',
    BREAKER_VOLUME_THRESHOLD: '4',
    // Every mesh gets fresh scratch databases, migrated by its services on start, so no test file
    // sees another's rows (`make migrate` is exercised on the real databases before the run).
    MIGRATE_ON_START: 'true',
    AUTH_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
    AUTH_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    EVENTS_NAMESPACE: settings.EVENTS_NAMESPACE ?? meshEventsNamespace(runId),
  };
  for (const name of SERVICE_NAMES) {
    const port = ports[name] ?? (await freePort());
    env[`${name.toUpperCase()}_GRPC_PORT`] = String(port);
    env[`${name.toUpperCase()}_GRPC_ADDR`] = `127.0.0.1:${port}`;
    // Real PostgreSQL: a scratch database per service and run, dropped when the mesh stops.
    if (process.env.DATABASE_URL) {
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = `/t${runId}_${name}_db`;
      env[`${name.toUpperCase()}_DATABASE_URL`] = url.toString();
    }
  }
  return env;
}

async function dropScratchDatabases(runId: string): Promise<void> {
  if (!process.env.DATABASE_URL) return;
  await dropDatabases(
    process.env.DATABASE_URL,
    SERVICE_NAMES.map((name) => `t${runId}_${name}_db`),
  );
}

/**
 * The services a cross-service test needs, reached over real gRPC sockets. By default they run in
 * this process (embedded PGlite, in-process events; or PostgreSQL and NATS when DATABASE_URL and
 * NATS_URL are set). With MESH=processes each runs as its own `node dist/services/<name>/main.js`
 * (the distributed run: `make migrate` first), and stopping one kills its process.
 * `inProcess: true` keeps them in this process whatever MESH says, for a test of what happens on
 * fresh databases (the distributed run's are shared and already migrated). Ports are chosen at
 * run time (`mesh.address(name)` says where a service is); `ports` fixes some, for a test that
 * needs to know one in advance. `env` adds settings for the services (e.g. a short
 * CHECKOUT_LEASE_MS for a crash test), over this process's environment.
 */
export async function startTestMesh(
  names: readonly ServiceName[] = SERVICE_NAMES,
  options: {
    inProcess?: boolean;
    ports?: Partial<Record<ServiceName, number>>;
    env?: Record<string, string>;
  } = {},
): Promise<TestMesh> {
  resetBreakers();
  const inProcess = options.inProcess ?? process.env.MESH !== 'processes';
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'mesh-'));
  const env = await testEnv(runId, dataDir, options.ports ?? {}, options.env ?? {});
  const address = (name: ServiceName): string => env[`${name.toUpperCase()}_GRPC_ADDR`]!;
  const cleanUp = async (): Promise<void> => {
    await dropScratchDatabases(runId);
    rmSync(dataDir, { recursive: true, force: true });
  };

  if (!inProcess) {
    const processes = new ProcessMesh(env, 'ignore');
    const opened = new Map<ServiceName, Promise<Database>>();
    await processes.start(names).catch(async (error: unknown) => {
      await processes.stop();
      await cleanUp();
      throw error;
    });
    return {
      dataDir,
      address,
      eventsNamespace: env.EVENTS_NAMESPACE!,
      database: (name) => {
        const definition = ALL_SERVICES.find((module) => module.name === name)!.database;
        const url = databaseUrlFor(name, env);
        if (!url) throw new Error(`the ${name} service of a process mesh has no database URL`);
        if (!opened.has(name)) opened.set(name, openDatabase(definition, { url, dataDir }));
        return opened.get(name)!;
      },
      stopService: (name) => processes.stopService(name),
      startService: (name) => processes.restartService(name),
      killService: async (name) => {
        await processes.killService(name);
      },
      stop: async () => {
        for (const database of opened.values()) await (await database).close();
        await processes.stop();
        await cleanUp();
      },
    };
  }

  const modules = ALL_SERVICES.filter((module) => names.includes(module.name));
  const mesh = await startMesh(modules, env).catch(async (error: unknown) => {
    await cleanUp();
    throw error;
  });
  return {
    dataDir,
    address,
    eventsNamespace: env.EVENTS_NAMESPACE!,
    events: mesh.events,
    database: async (name) => {
      const running = mesh.services().find((service) => service.name === name);
      if (!running) throw new Error(`the ${name} service is not running in this mesh`);
      return running.database;
    },
    stopService: (name) => mesh.stopService(name),
    startService: (name) => mesh.startService(name),
    killService: (name) =>
      Promise.reject(new Error(`cannot kill ${name}: services in this process have no process of their own`)),
    stop: async () => {
      await mesh.stop();
      await cleanUp();
    },
  };
}
