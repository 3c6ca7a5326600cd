import * as grpc from '@grpc/grpc-js';
import type { AccessRule } from '../auth/access-rule.js';
import type { Principal } from '../auth/principal.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { deadlineExceeded, invalidArguments, statusName } from '../errors.js';
import { rootLogger, type Logger } from '../log.js';
import { rpcServerDuration, rpcServerHandled } from '../metrics.js';
import { authorize } from './authenticate.js';
import {
  authorizationFrom,
  CORRELATION_ID_HEADER,
  correlationIdFrom,
  deadlineOf,
  splitMethodPath,
  type CallContext,
} from './call-context.js';
import { runInCallScope } from './call-scope.js';
import { RefusedRequest } from './checked-requests.js';
import type { EncodedResponse } from './encoded-response.js';
import { declareAccess } from './declared-access.js';
import { mapError } from './error-mapping.js';
import type { IsUnary, RequestOf, ResponseOf } from './method-types.js';

/**
 * One RPC: who may call it, and what it does. It answers with the response message, or with its
 * bytes encoded ahead of time (see EncodedResponse).
 */
export interface MethodHandler<Request, Response> {
  access: AccessRule;
  handle(request: Request, ctx: CallContext): Promise<Response | EncodedResponse<Response>>;
}

/** A handler for every method of a generated service definition (streaming: not supported yet). */
export type ServiceHandlers<D extends grpc.ServiceDefinition> = {
  [K in keyof D]: IsUnary<D[K]> extends true ? MethodHandler<RequestOf<D[K]>, ResponseOf<D[K]>> : never;
};

export interface ImplementServiceOptions {
  verifier: TokenVerifier;
  logger?: Logger;
}

// Caller mistakes are routine (info); a dependency that fails is worth a warning; a bug is an error.
const WARN_CODES = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.UNKNOWN]);

/**
 * Wraps typed handlers into a grpc-js service implementation. Every call runs through the same
 * chain: correlation id and call scope → deadline check → authentication → the method's access
 * rule → the request's check against its contract → handler → error mapping → one log line →
 * metrics. The check itself ran while grpc-js decoded the bytes (see checked-requests.ts); its
 * refusal is answered after authentication, so that a bad or missing token is UNAUTHENTICATED and
 * a caller who may not call the RPC is PERMISSION_DENIED whatever the body, and the rules of a
 * request are told only to callers allowed to send it.
 */
export function implementService<D extends grpc.ServiceDefinition>(
  definition: D,
  handlers: ServiceHandlers<D>,
  options: ImplementServiceOptions,
): grpc.UntypedServiceImplementation {
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const key of Object.keys(definition)) {
    const method = definition[key]!;
    const handler = (handlers as Record<string, MethodHandler<unknown, unknown> | undefined>)[key];
    if (!handler) throw new Error(`no handler for ${method.path}`);
    if (method.requestStream || method.responseStream) {
      throw new Error(`${method.path} is a streaming RPC; implementService handles unary RPCs only`);
    }
    declareAccess(method.path, handler.access);
    implementation[key] = unaryHandler(method.path, handler, options);
  }
  return implementation;
}

/** The level of an RPC's log line by its status: caller mistakes are info, server trouble louder. */
function levelOf(code: grpc.status): 'info' | 'warn' | 'error' {
  if (code === grpc.status.INTERNAL) return 'error';
  return WARN_CODES.has(code) ? 'warn' : 'info';
}

function unaryHandler(
  path: string,
  handler: MethodHandler<unknown, unknown>,
  options: ImplementServiceOptions,
): grpc.handleUnaryCall<unknown, unknown> {
  const { service, method } = splitMethodPath(path);
  const parent = options.logger ?? rootLogger.child({ component: 'grpc' });
  // A parent already bound to a service (the host's logger) keeps its own `service` field.
  const names = 'service' in parent.bindings() ? { method } : { service, method };
  // One label set per status code, made once: metrics are recorded on every call.
  const labelsByCode = new Map<grpc.status, { service: string; method: string; code: string }>();
  const labelsOf = (code: grpc.status) => {
    let labels = labelsByCode.get(code);
    if (!labels) labelsByCode.set(code, (labels = { service, method, code: statusName(code) }));
    return labels;
  };

  return (call, callback) => {
    const started = performance.now();
    const correlationId = correlationIdFrom(call.metadata);
    const deadline = deadlineOf(call.getDeadline());
    const authorization = authorizationFrom(call.metadata);
    // The call's logger is made when something logs (a pino child costs microseconds per call).
    let logger: Logger | undefined;
    const callLogger = (): Logger => (logger ??= parent.child({ ...names, correlationId }));
    let principal: Principal | undefined;

    const finish = (code: grpc.status, error?: unknown): void => {
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      const level = levelOf(code);
      if (parent.isLevelEnabled(level)) {
        const line = { code: statusName(code), durationMs, userId: principal?.userId };
        if (code === grpc.status.OK) callLogger().info(line, 'rpc');
        else if (code === grpc.status.INTERNAL) callLogger().error({ ...line, err: error }, 'rpc failed');
        else if (level === 'warn')
          callLogger().warn({ ...line, reason: (error as Error).message }, 'rpc failed');
        else callLogger().info({ ...line, reason: (error as Error).message }, 'rpc rejected');
      }
      const labels = labelsOf(code);
      rpcServerHandled.inc(labels);
      rpcServerDuration.observe(labels, durationMs / 1000);
    };

    void runInCallScope({ correlationId, deadline, authorization }, async () => {
      try {
        if (deadline && deadline.getTime() <= Date.now())
          throw deadlineExceeded('deadline passed before the call started');
        principal = await authorize(authorization, options.verifier, handler.access);
        if (call.request instanceof RefusedRequest) throw invalidArguments(call.request.violations);
        const ctx: CallContext = {
          service,
          method,
          principal,
          correlationId,
          deadline,
          metadata: call.metadata,
          get peer() {
            return call.getPeer();
          },
          get logger() {
            return callLogger();
          },
        };
        const response = await handler.handle(call.request, ctx);
        const trailer = new grpc.Metadata();
        trailer.set(CORRELATION_ID_HEADER, correlationId);
        callback(null, response, trailer);
        finish(grpc.status.OK);
      } catch (error) {
        const mapped = mapError(error);
        mapped.metadata.set(CORRELATION_ID_HEADER, correlationId);
        callback({ code: mapped.code, details: mapped.details, metadata: mapped.metadata });
        finish(mapped.code, error);
      }
    });
  };
}
