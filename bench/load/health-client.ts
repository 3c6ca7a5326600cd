import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

/** The standard grpc.health.v1.Health client (every service port serves it). */
export const HealthClient = grpc.makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');
export type HealthClient = InstanceType<typeof HealthClient>;

/** One Check call; resolves with the status name (`SERVING`, …), rejects with the call's error. */
export function checkHealth(client: HealthClient, deadline: Date, service = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    client.check!(
      { service },
      { deadline },
      (error: grpc.ServiceError | null, reply?: { status: string }) => {
        if (error) reject(error);
        else resolve(reply?.status ?? 'UNKNOWN');
      },
    );
  });
}
