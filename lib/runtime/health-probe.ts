import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

/** The one RPC of `grpc.health.v1.Health` we call (grpc-health-check ships the definition untyped). */
export interface HealthClient extends grpc.Client {
  check(
    request: { service: string },
    options: Partial<grpc.CallOptions>,
    callback: (error: grpc.ServiceError | null, reply?: { status: string }) => void,
  ): grpc.ClientUnaryCall;
}

const HealthClientConstructor = grpc.makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');

export function createHealthClient(address: string): HealthClient {
  return new HealthClientConstructor(address, grpc.credentials.createInsecure()) as unknown as HealthClient;
}

/** One `grpc.health.v1.Health/Check` call: the serving status name, or the failure's message. */
export function checkHealth(address: string, service = '', deadlineMs = 1_000): Promise<string> {
  const client = createHealthClient(address);
  return new Promise((resolve) => {
    client.check({ service }, { deadline: Date.now() + deadlineMs }, (error, reply) => {
      client.close();
      resolve(error ? `error: ${error.details || error.message}` : (reply?.status ?? 'UNKNOWN'));
    });
  });
}

/** Polls the health service until it answers SERVING, or fails after `timeoutMs` saying what it last saw. */
export async function waitUntilServing(address: string, timeoutMs: number): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < giveUpAt) {
    last = await checkHealth(address);
    if (last === 'SERVING') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${address} not SERVING after ${timeoutMs} ms (last: ${last})`);
}
