import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

const HealthClient = grpc.makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');

/** One `grpc.health.v1.Health/Check` call: the serving status name, or the failure's message. */
export function checkHealth(address: string, service = '', deadlineMs = 1_000): Promise<string> {
  const client = new HealthClient(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.check({ service }, { deadline: Date.now() + deadlineMs }, (error: grpc.ServiceError | null, reply: { status: string }) => {
      client.close();
      resolve(error ? `error: ${error.details || error.message}` : reply.status);
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
