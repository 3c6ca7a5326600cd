import type * as grpc from '@grpc/grpc-js';
import type { ServiceTokenProvider } from '../auth/service-token-source.js';
import { grpcAddressOf, type Env, type ServiceName } from '../config/index.js';
import type { Logger } from '../log.js';
import { breakerOptionsFrom } from './breaker-config.js';
import { createClient, type GeneratedClientConstructor, type PromiseClient } from './client.js';

/**
 * A client of another service of the platform, configured from the environment the same way
 * everywhere: its address (`<SERVICE>_GRPC_ADDR`) and the breaker tuning (`BREAKER_*`).
 * `serviceToken` makes calls carry this service's own token, for RPCs declared `allow.internal()`.
 * `defaultDeadlineMs` is a call's own budget when the call names none (2 s unless given).
 */
export function createServiceClient<D extends grpc.ServiceDefinition>(
  ClientClass: GeneratedClientConstructor<D>,
  target: ServiceName,
  env: Env,
  options: { serviceToken?: ServiceTokenProvider; logger?: Logger; defaultDeadlineMs?: number } = {},
): PromiseClient<D> {
  return createClient(ClientClass, {
    target,
    address: grpcAddressOf(target, env),
    breaker: breakerOptionsFrom(env),
    ...options,
  });
}
