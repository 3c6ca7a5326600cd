import type { Env, ServiceConfig } from '../config/index.js';
import { migrateDatabase, openDatabase, type Database } from '../db/index.js';
import {
  eventRetentionFrom,
  OutboxRelay,
  startEventRetention,
  type EventTransport,
} from '../events/index.js';
import { startGrpcServer } from '../grpc/server.js';
import { rootLogger } from '../log.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { createAuthServiceTokenSource } from '../auth/auth-service-token-source.js';
import { startPartitionMaintenance } from './partition-maintenance.js';
import { seedNewDatabase } from './demo-seed.js';
import type { ServiceModule } from './service-module.js';
import { StartedResources } from './started-resources.js';

export interface RunningService {
  name: string;
  port: number;
  database: Database;
  /**
   * First half of a stop: take no more calls (draining those in flight) and publish no more
   * events. A mesh does this for every service before any consumer stops, because an in-process
   * publish waits for the consumers it delivers to.
   */
  stopIntake(): Promise<void>;
  /** Stops everything (the intake first, if that has not happened yet) and closes the database. */
  stop(): Promise<void>;
}

export interface HostDependencies {
  config: ServiceConfig;
  env: Env;
  events: EventTransport;
  verifier: TokenVerifier;
}

const SHUTDOWN_GRACE_MS = 5_000;

/**
 * Starts one service: opens (and in embedded mode migrates) its database, builds its parts, starts
 * the outbox relay and its background tasks, then opens its gRPC port. Stopping undoes it in the
 * reverse order: stop taking calls (draining those in flight) and publishing, stop the background
 * work (consumers), close the database.
 */
export async function startService(module: ServiceModule, deps: HostDependencies): Promise<RunningService> {
  const { config } = deps;
  const logger = rootLogger.child({ service: module.name });
  const database = await openDatabase(module.database, { url: config.databaseUrl, dataDir: config.dataDir });
  // What has started so far, stopped in reverse when the service stops or a later step fails.
  const started = new StartedResources(logger);
  started.add({ name: 'database', stop: () => database.close() });
  try {
    const isNew = await prepareSchema(database, config, module.database.name);
    const serviceTokens = createAuthServiceTokenSource(module.name, config, deps.env, logger);
    started.add({ name: 'service token client', stop: async () => serviceTokens.close() });
    const parts = await module.create({
      config,
      env: deps.env,
      logger,
      orm: database.orm,
      events: deps.events,
      verifier: deps.verifier,
      serviceTokens,
      dispose: (name, stop) => started.add({ name, stop: async () => stop() }),
    });
    await seedNewDatabase(module.seed, database.orm, deps.env, {
      isNew,
      production: config.production,
      logger,
    });
    if (module.database.partitionedTables?.length) {
      started.add(
        await startPartitionMaintenance(
          database.orm,
          module.database.partitionedTables,
          deps.env,
          module.name,
          logger,
        ),
      );
    }
    started.add(
      startEventRetention({
        orm: database.orm,
        retention: eventRetentionFrom(deps.env),
        service: module.name,
        logger,
      }),
    );
    const relay = new OutboxRelay({ orm: database.orm, transport: deps.events, source: module.name, logger });
    relay.start();
    started.add({ name: 'outbox relay', stop: () => relay.stop() });
    const server = await startGrpcServer({
      host: config.grpcHost,
      port: config.grpcPort,
      services: parts.grpc,
      logger,
    });
    logger.info({ port: server.port, embedded: database.embedded }, 'service started');
    let intakeStopped: Promise<void> | undefined;
    const stopIntake = (): Promise<void> =>
      (intakeStopped ??= (async () => {
        await server.shutdown(SHUTDOWN_GRACE_MS);
        await relay.stop();
      })());
    return {
      name: module.name,
      port: server.port,
      database,
      stopIntake,
      stop: async () => {
        await stopIntake();
        await started.stopAll();
        logger.info('service stopped');
      },
    };
  } catch (error) {
    await started.stopAll();
    throw error;
  }
}

/**
 * Embedded databases are migrated on start. A distributed service does not migrate itself (that is
 * `make migrate`, a separate step) unless MIGRATE_ON_START says so, and refuses to start on a
 * schema that is behind its code. Says whether the database is new (every migration ran just now).
 */
async function prepareSchema(database: Database, config: ServiceConfig, name: string): Promise<boolean> {
  if (config.migrateOnStart) {
    const applied = await migrateDatabase(database);
    const executed = await database.orm.getMigrator().getExecutedMigrations();
    return applied.length > 0 && applied.length === executed.length;
  }
  const pending = await database.orm.getMigrator().getPendingMigrations();
  if (pending.length > 0) {
    throw new Error(
      `database ${name} has ${pending.length} pending migration(s) (${pending.map((m) => m.name).join(', ')}): run \`make migrate\` first`,
    );
  }
  return false;
}
