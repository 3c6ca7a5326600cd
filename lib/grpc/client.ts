import * as grpc from '@grpc/grpc-js';
import { CallInsideTransactionError, insideTransaction } from '../db/transaction-guard.js';
import { deadlineExceeded, statusName, unavailable } from '../errors.js';
import { newId } from '../ids.js';
import { rootLogger, type Logger } from '../log.js';
import { breakerRejections, rpcClientDuration, rpcClientHandled, rpcClientRetries } from '../metrics.js';
import { isBreakerRejection, obtainBreaker, type BreakerOptions } from './breaker.js';
import { CORRELATION_ID_HEADER, splitMethodPath } from './call-context.js';
import { currentCallScope } from './call-scope.js';
import { platformIdempotency, type IdempotencyIndex } from './idempotency.js';
import type { RequestOf, ResponseOf, UnaryMethodName } from './method-types.js';
import type { ServiceTokenProvider } from '../auth/service-token-source.js';
import { translateDependencyError } from './dependency-errors.js';
import { backoffDelayMs, isTransient, sleep, type RetryOptions } from './retry.js';

export interface ClientCallOptions {
  metadata?: grpc.Metadata;
  /** This call's own budget; the caller's remaining deadline (call scope) caps it. */
  deadlineMs?: number;
  /**
   * Bearer token to send (the `Bearer ` prefix is added when missing); `''` sends none. Default:
   * relay the `authorization` of the call being handled, so downstream sees the same principal.
   */
  authorization?: string;
}

export interface CreateClientOptions {
  /** Service name (`product`): identifies the breaker and labels metrics. */
  target: string;
  /** host:port (or any grpc-js target string). */
  address: string;
  defaultDeadlineMs?: number;
  breaker?: BreakerOptions;
  retry?: RetryOptions;
  /** The TLS seam: insecure unless given. */
  credentials?: grpc.ChannelCredentials;
  channelOptions?: grpc.ChannelOptions;
  /** Which RPCs may be retried; default: the `idempotency_level` options of the platform protos. */
  idempotency?: IdempotencyIndex;
  /**
   * Calls carry this service's own token (`runtime.serviceTokens`) instead of relaying the caller's:
   * for RPCs declared `allow.internal()`. A call's explicit `authorization` still wins.
   */
  serviceToken?: ServiceTokenProvider;
  logger?: Logger;
  /**
   * A call made inside a database transaction (a bug: see lib/db/transaction-guard.ts) is refused
   * with CallInsideTransactionError, unless `production`: then it is logged as an error and made.
   * Default: NODE_ENV=production.
   */
  production?: boolean;
}

/** A ts-proto generated client class (`ProductServiceClient`): constructible, with its definition. */
export interface GeneratedClientConstructor<D extends grpc.ServiceDefinition> {
  new (
    address: string,
    credentials: grpc.ChannelCredentials,
    options?: Partial<grpc.ClientOptions>,
  ): grpc.Client;
  service: D;
}

export type PromiseClient<D extends grpc.ServiceDefinition> = {
  [K in UnaryMethodName<D>]: (
    request: RequestOf<D[K]>,
    options?: ClientCallOptions,
  ) => Promise<ResponseOf<D[K]>>;
} & {
  /** Closes the channel. */
  close(): void;
};

export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
  // A restarted service is found again within seconds, in time for the breaker's trial call.
  'grpc.initial_reconnect_backoff_ms': 500,
  'grpc.max_reconnect_backoff_ms': 5_000,
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
};

function isServiceError(error: unknown): error is grpc.ServiceError {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'number' &&
    (error as { metadata?: unknown }).metadata instanceof grpc.Metadata
  );
}

function bearer(token: string): string {
  return /^Bearer\s/i.test(token) ? token : `Bearer ${token}`;
}

/**
 * Typed, promise-returning client of one service. Every call: has a deadline (its own, capped by
 * the caller's), carries the correlation id and the caller's authorization, goes through the
 * breaker of the target (shared by the clients tuned alike), and is retried (bounded, jittered,
 * within the deadline) only when the contract marks the RPC idempotent and the failure is
 * transient. A failure reaches the handler translated into what is true for its own caller
 * (dependency-errors.ts); a call inside a database transaction is a bug (transaction-guard.ts).
 */
export function createClient<D extends grpc.ServiceDefinition>(
  ClientClass: GeneratedClientConstructor<D>,
  options: CreateClientOptions,
): PromiseClient<D> {
  const { target } = options;
  const logger = options.logger ?? rootLogger.child({ component: 'grpc-client', target });
  const defaultDeadlineMs = options.defaultDeadlineMs ?? 2000;
  const attempts = Math.max(1, options.retry?.attempts ?? 3);
  const backoffMs = options.retry?.backoffMs ?? 50;
  const idempotency = options.idempotency ?? platformIdempotency();
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const channel = new ClientClass(options.address, options.credentials ?? grpc.credentials.createInsecure(), {
    ...CHANNEL_OPTIONS,
    ...options.channelOptions,
  });

  function attemptOnce(
    definition: grpc.MethodDefinition<unknown, unknown>,
    method: string,
    request: unknown,
    metadata: grpc.Metadata,
    deadline: number,
    attemptCapMs: number | undefined,
  ): Promise<unknown> {
    const attemptDeadline =
      attemptCapMs === undefined ? deadline : Math.min(deadline, Date.now() + attemptCapMs);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      channel.makeUnaryRequest(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        request,
        metadata,
        { deadline: new Date(attemptDeadline) },
        (error, response) => {
          const code = statusName(error ? error.code : grpc.status.OK);
          rpcClientHandled.inc({ target, method, code });
          rpcClientDuration.observe({ target, method, code }, (performance.now() - started) / 1000);
          // Rejected as the target answered: the breaker and the retry decide on its own status.
          if (error) reject(error);
          else resolve(response);
        },
      );
    });
  }

  /** Explicit (`''` = none), else this service's own token when configured, else the caller's. */
  async function authorizationFor(
    explicit: string | undefined,
    relayed: string | undefined,
  ): Promise<string | undefined> {
    if (explicit !== undefined) return explicit === '' ? undefined : bearer(explicit);
    if (options.serviceToken) return bearer(await options.serviceToken.token());
    return relayed;
  }

  function unaryCall(definition: grpc.MethodDefinition<unknown, unknown>) {
    const { method } = splitMethodPath(definition.path);
    const retryable = idempotency.isRetryable(definition.path);
    const maxAttempts = retryable ? attempts : 1;

    return async (request: unknown, callOptions: ClientCallOptions = {}): Promise<unknown> => {
      if (insideTransaction()) {
        const bug = new CallInsideTransactionError(`${target} ${method}`);
        if (!production) throw bug;
        logger.error({ err: bug, target, method }, 'gRPC call inside a database transaction');
      }
      const scope = currentCallScope();
      const now = Date.now();
      const deadline = Math.min(
        now + (callOptions.deadlineMs ?? defaultDeadlineMs),
        scope?.deadline?.getTime() ?? Number.POSITIVE_INFINITY,
      );
      if (deadline <= now) throw deadlineExceeded(`no time left to call the ${target} service`);

      const metadata = callOptions.metadata?.clone() ?? new grpc.Metadata();
      if (metadata.get(CORRELATION_ID_HEADER).length === 0) {
        metadata.set(CORRELATION_ID_HEADER, scope?.correlationId ?? newId());
      }
      const authorization = await authorizationFor(callOptions.authorization, scope?.authorization);
      if (authorization && metadata.get('authorization').length === 0)
        metadata.set('authorization', authorization);

      for (let attempt = 1; ; attempt++) {
        const { breaker, options: breakerOptions } = obtainBreaker(target, options.breaker, logger);
        try {
          return await breaker.fire(() =>
            attemptOnce(definition, method, request, metadata, deadline, breakerOptions.timeoutMs),
          );
        } catch (error) {
          if (isBreakerRejection(error)) {
            breakerRejections.inc({ target });
            throw unavailable(`${target} service unavailable (circuit open)`);
          }
          const delay = backoffDelayMs(attempt, backoffMs);
          if (attempt >= maxAttempts || !isTransient(error) || Date.now() + delay >= deadline)
            throw isServiceError(error) ? translateDependencyError(target, method, error, logger) : error;
          rpcClientRetries.inc({ target, method });
          logger.debug({ target, method, attempt, delay }, 'retrying idempotent call');
          await sleep(delay);
        }
      }
    };
  }

  const client: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(ClientClass.service)) {
    if (definition.requestStream || definition.responseStream) continue;
    if (name === 'close')
      throw new Error(`${target}: a method named "close" would hide the client's close()`);
    client[name] = unaryCall(definition as grpc.MethodDefinition<unknown, unknown>);
  }
  client.close = () => channel.close();
  return client as PromiseClient<D>;
}
