import { DEFAULT_GRPC_PORTS, isServiceName, type ServiceName } from './topology.js';
import { ConfigError, readBoolean, readHostPort, readInt, readString, readUrl, type Env } from './env.js';

/** Everything a service process reads from its environment, validated once at start. */
export interface ServiceConfig {
  service: ServiceName;
  /** NODE_ENV=production: development defaults (keys, secrets) refuse to start. */
  production: boolean;
  grpcHost: string;
  grpcPort: number;
  /** Full URL of this service's own PostgreSQL database; undefined selects embedded PGlite. */
  databaseUrl: string | undefined;
  /** Where embedded PGlite databases and development keys live. */
  dataDir: string;
  /** NATS server URL; undefined selects the in-process event transport. */
  natsUrl: string | undefined;
  /** EVENTS_NAMESPACE: prefixes this deployment's NATS streams, subjects and durables; undefined: none. */
  eventsNamespace: string | undefined;
  /** Run migrations on start (always in embedded mode; MIGRATE_ON_START in distributed mode). */
  migrateOnStart: boolean;
}

const POSTGRES_PROTOCOLS = ['postgres:', 'postgresql:'];

/** `<service>_db` on the server of DATABASE_URL, unless `<SERVICE>_DATABASE_URL` names one fully. */
export function databaseUrlFor(service: ServiceName, env: Env): string | undefined {
  const own = readUrl(env, `${service.toUpperCase()}_DATABASE_URL`, POSTGRES_PROTOCOLS);
  if (own) return own.toString();
  const server = readUrl(env, 'DATABASE_URL', POSTGRES_PROTOCOLS);
  if (!server) return undefined;
  server.pathname = `/${service}_db`;
  return server.toString();
}

/**
 * EVENTS_NAMESPACE: a short token that keeps one deployment's (or one test run's) events apart from
 * another's on a shared NATS server (`lib/events/nats-names.ts` applies it). Unset: no prefix, the
 * names production has always used. A service's name is refused: `order` would put the namespace's
 * subjects (`order.order.…`) inside the un-namespaced order stream.
 */
export function readEventsNamespace(env: Env): string | undefined {
  const value = readString(env, 'EVENTS_NAMESPACE');
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(value)) {
    throw new ConfigError('EVENTS_NAMESPACE', `must be 1 to 32 letters, digits, _ or -, got "${value}"`);
  }
  if (isServiceName(value)) {
    throw new ConfigError('EVENTS_NAMESPACE', `must not be a service's name, got "${value}"`);
  }
  return value;
}

/** Where a client finds a service: `<SERVICE>_GRPC_ADDR`, default 127.0.0.1 and its port. */
export function grpcAddressOf(service: ServiceName, env: Env = process.env): string {
  return readHostPort(env, `${service.toUpperCase()}_GRPC_ADDR`, `127.0.0.1:${DEFAULT_GRPC_PORTS[service]}`);
}

export function loadServiceConfig(service: ServiceName, env: Env = process.env): ServiceConfig {
  const databaseUrl = databaseUrlFor(service, env);
  const production = readString(env, 'NODE_ENV') === 'production';
  if (production && !databaseUrl) {
    throw new ConfigError('DATABASE_URL', 'is required in production (embedded PGlite is for development)');
  }
  return {
    service,
    production,
    grpcHost: readString(env, 'GRPC_HOST', '127.0.0.1')!,
    grpcPort: readInt(env, `${service.toUpperCase()}_GRPC_PORT`, DEFAULT_GRPC_PORTS[service], {
      min: 0,
      max: 65535,
    }),
    databaseUrl,
    dataDir: readString(env, 'DATA_DIR', './data')!,
    natsUrl: readUrl(env, 'NATS_URL', ['nats:', 'tls:'])?.toString(),
    eventsNamespace: readEventsNamespace(env),
    migrateOnStart: databaseUrl === undefined || readBoolean(env, 'MIGRATE_ON_START', false),
  };
}
