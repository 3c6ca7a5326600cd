import type { DatabaseDefinition, MikroORM } from '../db/index.js';
import type { Env, ServiceConfig, ServiceName } from '../config/index.js';
import type { Logger } from '../log.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { ServiceTokenProvider } from '../auth/service-token-source.js';
import type { EventTransport } from '../events/index.js';
import type { GrpcServiceBinding } from '../grpc/server.js';
import type { DemoSeed } from './demo-seed.js';

/** What the host gives a service to build itself on. The service cannot tell which run mode it is in. */
export interface ServiceRuntime {
  config: ServiceConfig;
  /** The environment the service was configured from (where it finds other services, for one). */
  env: Env;
  logger: Logger;
  orm: MikroORM;
  events: EventTransport;
  /** Verifies access tokens locally against the auth service's published keys (fetched once, cached). */
  verifier: TokenVerifier;
  /**
   * This service's own access token (role `service`, cached, refreshed before it expires), for
   * calls to RPCs declared `allow.internal()`: pass it as `createClient(..., { serviceToken })`.
   */
  serviceTokens: ServiceTokenProvider;
  /**
   * Hands a resource to the host the moment it exists (a consumer, a client, a timer): the host
   * stops it when the service stops, in the reverse order of handing, and also when the start
   * fails later on (in `create` itself or after it), so nothing a failed start made is left running.
   */
  dispose(name: string, stop: () => Promise<void> | void): void;
}

/** Something a service keeps running beside its RPCs: a consumer, a scheduled job, a relay. */
export interface BackgroundTask {
  name: string;
  stop(): Promise<void>;
}

export interface ServiceParts {
  grpc: GrpcServiceBinding[];
}

/** One of the ten services, as the host sees it: its database and how to build its parts. */
export interface ServiceModule {
  name: ServiceName;
  database: DatabaseDefinition;
  create(runtime: ServiceRuntime): Promise<ServiceParts>;
  /** Its share of the demo store (`make seed`; `make run` on a new database). */
  seed?: DemoSeed;
}
