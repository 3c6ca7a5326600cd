import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { JwksTokenVerifier } from '../../auth/token-verifier.js';
import type { TestKey } from '../../auth/test/keys.js';
import { implementService, type ServiceHandlers } from '../implement-service.js';
import { startGrpcServer, type RunningGrpcServer } from '../server.js';
import {
  ECHO_SERVICE_NAME,
  EchoServiceClient,
  EchoServiceService,
  type EchoRequest,
  type EchoResponse,
} from './echo-service.js';

export const quiet = pino({ level: 'silent' });

export interface EchoServer {
  server: RunningGrpcServer;
  address: string;
}

/** A fresh echo server on 127.0.0.1 (port 0 unless given) whose tokens are checked against `key`. */
export async function startEchoServer(
  handlers: ServiceHandlers<typeof EchoServiceService>,
  key: TestKey,
  options: { port?: number; logger?: pino.Logger; drainDelayMs?: number } = {},
): Promise<EchoServer> {
  const verifier = new JwksTokenVerifier(async () => [key.publicJwk], { logger: quiet });
  const implementation = implementService(EchoServiceService, handlers, {
    verifier,
    logger: options.logger ?? quiet,
  });
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    services: [{ name: ECHO_SERVICE_NAME, definition: EchoServiceService, implementation }],
    logger: quiet,
    descriptorSet: null,
    drainDelayMs: options.drainDelayMs,
  });
  return { server, address: `127.0.0.1:${server.port}` };
}

export type RawResult = { response: EchoResponse; trailer: grpc.Metadata } | { error: grpc.ServiceError };

/** One call through the bare generated-style client, to see exactly what went over the wire. */
export function rawCall(
  address: string,
  method: 'echo' | 'lookup' | 'write',
  request: EchoRequest,
  metadata = new grpc.Metadata(),
  deadlineMs = 5000,
): Promise<RawResult> {
  const client = new EchoServiceClient(address, grpc.credentials.createInsecure());
  const definition = EchoServiceService[method];
  return new Promise((resolve) => {
    let outcome: { error: grpc.ServiceError | null; response?: EchoResponse } | undefined;
    const call = client.makeUnaryRequest(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
      request,
      metadata,
      { deadline: new Date(Date.now() + deadlineMs) },
      (error, response) => {
        outcome = { error, response };
      },
    );
    // grpc-js emits 'status' (with the trailers) right after the callback.
    call.on('status', (status: grpc.StatusObject) => {
      client.close();
      if (outcome?.error) resolve({ error: outcome.error });
      else resolve({ response: outcome!.response!, trailer: status.metadata });
    });
  });
}

export function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}
