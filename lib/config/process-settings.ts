import { ConfigError, readBoolean, readInt, readString, type Env } from './env.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The settings of a process as a whole (not of one service): logging, metrics, database tuning.
 * `loadProcessSettings` reads them all at start, so a bad value stops the process before it serves.
 */
export interface ProcessSettings {
  logLevel: LogLevel;
  /** Prometheus `/metrics`; 0 turns it off. */
  metricsPort: number;
  /** Loopback unless METRICS_HOST says otherwise (a pod sets 0.0.0.0 so Prometheus can scrape it). */
  metricsHost: string;
  database: DatabaseTuning;
  /** PGLITE_TEMPLATE_DIR: where the initialised embedded database template is kept (undefined: node_modules/.cache). */
  pgliteTemplateDir: string | undefined;
  /** GRPC_DESCRIPTOR_SET: the platform's FileDescriptorSet, when not at gen/descriptor.binpb. */
  grpcDescriptorSet: string | undefined;
}

export interface DatabaseTuning {
  /** DB_POOL_MAX: connections per service database (PostgreSQL only). */
  poolMax: number;
  /** DB_DEBUG: MikroORM logs every query (at debug level). */
  debug: boolean;
}

export const DEFAULT_METRICS_PORT = 9464;

export function readLogLevel(env: Env, fallback: LogLevel = 'info'): LogLevel {
  const value = readString(env, 'LOG_LEVEL')?.toLowerCase();
  if (value === undefined) return fallback;
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  }
  return value as LogLevel;
}

export function readDatabaseTuning(env: Env): DatabaseTuning {
  return {
    poolMax: readInt(env, 'DB_POOL_MAX', 10, { min: 1, max: 1000 }),
    debug: readBoolean(env, 'DB_DEBUG', false),
  };
}

export function loadProcessSettings(env: Env = process.env): ProcessSettings {
  return {
    logLevel: readLogLevel(env),
    metricsPort: readInt(env, 'METRICS_PORT', DEFAULT_METRICS_PORT, { min: 0, max: 65535 }),
    metricsHost: readString(env, 'METRICS_HOST', '127.0.0.1')!,
    database: readDatabaseTuning(env),
    pgliteTemplateDir: readString(env, 'PGLITE_TEMPLATE_DIR'),
    grpcDescriptorSet: readString(env, 'GRPC_DESCRIPTOR_SET'),
  };
}
