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

export function createHealthClient(address: string, options: Partial<grpc.ClientOptions> = {}): HealthClient {
  return new HealthClientConstructor(
    address,
    grpc.credentials.createInsecure(),
    options,
  ) as unknown as HealthClient;
}

/** One Check on an open client: resolves with the status name (`SERVING`, …), rejects with the call's error. */
export function checkWith(client: HealthClient, deadline: Date, service = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    client.check({ service }, { deadline }, (error, reply) => {
      if (error) reject(error);
      else resolve(reply?.status ?? 'UNKNOWN');
    });
  });
}

/**
 * One Check as a Kubernetes probe asks it, on a connection of its own: the status name, or
 * `error <CODE>`. Its own subchannel, closed with it, so that a connection another probe left
 * hanging (to whatever held the port before the service did) cannot answer for the port now.
 */
export async function checkHealth(address: string, service = '', deadlineMs = 1_000): Promise<string> {
  const client = createHealthClient(address, { 'grpc.use_local_subchannel_pool': 1 });
  try {
    return await checkWith(client, new Date(Date.now() + deadlineMs), service);
  } catch (error) {
    return `error ${grpc.status[(error as grpc.ServiceError).code] ?? 'UNKNOWN'}`;
  } finally {
    client.close();
  }
}

/**
 * Polls the health service until it answers SERVING, or fails after `timeoutMs` saying what it last
 * saw. `signal` stops the polling early (the process it waits for has exited, say).
 */
export async function waitUntilServing(
  address: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < giveUpAt) {
    if (signal?.aborted) throw new Error(`stopped waiting for ${address} to serve`);
    last = await checkHealth(address);
    if (last === 'SERVING') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${address} not SERVING after ${timeoutMs} ms (last: ${last})`);
}
