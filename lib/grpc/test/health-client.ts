import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

type HealthClient = grpc.Client & {
  check(
    request: { service: string },
    options: Partial<grpc.CallOptions>,
    callback: (error: grpc.ServiceError | null, response?: { status: string }) => void,
  ): grpc.ClientUnaryCall;
};

const HealthClientClass = grpc.makeGenericClientConstructor(
  healthService as unknown as grpc.ServiceDefinition,
  'grpc.health.v1.Health',
);

/** `grpc.health.v1.Health/Check` as a Kubernetes probe would ask it: the status, or the error code. */
export function checkHealth(address: string, service = ''): Promise<string> {
  const client = new HealthClientClass(address, grpc.credentials.createInsecure()) as unknown as HealthClient;
  return new Promise((resolve) => {
    client.check({ service }, { deadline: new Date(Date.now() + 2000) }, (error, response) => {
      client.close();
      resolve(error ? `error ${grpc.status[error.code]}` : response!.status);
    });
  });
}
