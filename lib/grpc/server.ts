import * as grpc from '@grpc/grpc-js';
import { createRequire } from 'node:module';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { rootLogger, type Logger } from '../log.js';
import { loadDescriptorSet } from './descriptor-set.js';
import { strictFileDescriptor } from './strict-file-descriptor.js';
import { checkingRequests, requestCheckersOf } from './checked-requests.js';
import { acceptingEncodedResponses } from './encoded-response.js';

export interface GrpcServiceBinding {
  /** Full proto name, e.g. `ecommerce.auth.v1.AuthService` (health and reflection use it). */
  name: string;
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
}

export interface StartGrpcServerOptions {
  host: string;
  /** 0 picks a free port (tests); the actual one is in the result. */
  port: number;
  services: GrpcServiceBinding[];
  logger?: Logger;
  /** The TLS seam: insecure unless given (the embedded mode is loopback only; a mesh may add mTLS). */
  credentials?: grpc.ServerCredentials;
  /** How long `shutdown` reports NOT_SERVING before it stops accepting calls (load balancers notice). */
  drainDelayMs?: number;
  /** Serialized FileDescriptorSet for reflection; default gen/descriptor.binpb, null disables reflection. */
  descriptorSet?: Uint8Array | null;
}

export interface RunningGrpcServer {
  port: number;
  /** Health status of the server ("") and of every service on it. */
  setServing(serving: boolean): void;
  /** NOT_SERVING, then let calls in flight finish for up to `graceMs`, then cut the rest off. */
  shutdown(graceMs: number): Promise<void>;
}

const HEALTH_SERVICE = 'grpc.health.v1.Health';
const require = createRequire(import.meta.url);
const MESSAGE_LIMIT_BYTES = 4 * 1024 * 1024;

export const SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': MESSAGE_LIMIT_BYTES,
  'grpc.max_send_message_length': MESSAGE_LIMIT_BYTES,
  // Find dead peers on idle connections, and recycle connections now and then so clients
  // behind a Kubernetes Service spread over new pods.
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.max_connection_idle_ms': 300_000,
  'grpc.max_connection_age_ms': 600_000,
  'grpc.max_connection_age_grace_ms': 30_000,
};

function bindAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

const reflectionDefinitions = new WeakMap<Uint8Array, PackageDefinition>();

/**
 * The health proto's package definition, its file descriptor made strict: as proto-loader loads
 * it (through protobufjs) its type names are relative, and strict reflection clients refused it.
 */
function healthDefinition(): PackageDefinition {
  const loaded = loadSync(require.resolve('grpc-health-check/proto/health/v1/health.proto'));
  const first = Object.values(loaded).find((entry) => 'fileDescriptorProtos' in entry) as
    { fileDescriptorProtos: Buffer[] } | undefined;
  if (!first) return loaded;
  const file = strictFileDescriptor(
    fromBinary(FileDescriptorProtoSchema, first.fileDescriptorProtos[0]!),
    'grpc/health/v1/health.proto',
  );
  const fileDescriptorProtos = [Buffer.from(toBinary(FileDescriptorProtoSchema, file))];
  return Object.fromEntries(
    Object.entries(loaded).map(([name, entry]) => [
      name,
      'fileDescriptorProtos' in entry ? { ...entry, fileDescriptorProtos } : entry,
    ]),
  ) as PackageDefinition;
}

/**
 * What reflection serves: the descriptor files exactly as `buf build` wrote them, and the health
 * proto; made once per process and descriptor set (the embedded mesh starts ten servers). A
 * package definition loaded through proto-loader would re-create the files with protobufjs: merged
 * per package, type names made relative, and a message holding a map marked as a map entry itself,
 * which strict clients such as grpcurl reject.
 */
function reflectionDefinition(bytes: Uint8Array): PackageDefinition {
  let definition = reflectionDefinitions.get(bytes);
  if (!definition) {
    const files = fromBinary(FileDescriptorSetSchema, bytes).file.map((file) =>
      toBinary(FileDescriptorProtoSchema, file),
    );
    definition = {
      ...healthDefinition(),
      // The one field of a package definition reflection reads.
      'ecommerce.platform': { fileDescriptorProtos: files } as unknown as PackageDefinition[string],
    };
    reflectionDefinitions.set(bytes, definition);
  }
  return definition;
}

function addReflection(
  server: grpc.Server,
  names: string[],
  bytes: Uint8Array | undefined,
  logger: Logger,
): void {
  if (!bytes) {
    logger.warn('no descriptor set (gen/descriptor.binpb): reflection is off');
    return;
  }
  new ReflectionService(reflectionDefinition(bytes), { services: [...names, HEALTH_SERVICE] }).addToServer(
    server,
  );
}

/**
 * Serves the given services on one port with the standard health service (overall "" and each
 * service name) and reflection (so grpcurl works), and resolves once the port is bound.
 */
export async function startGrpcServer(options: StartGrpcServerOptions): Promise<RunningGrpcServer> {
  const logger = options.logger ?? rootLogger.child({ component: 'grpc-server' });
  const names = options.services.map((service) => service.name);
  const server = new grpc.Server(SERVER_OPTIONS);
  const bytes = options.descriptorSet === null ? undefined : (options.descriptorSet ?? loadDescriptorSet());
  // Every request is checked against its contract before it is decoded (lib/grpc/request-checker.ts).
  const checkerBytes = bytes ?? loadDescriptorSet();
  const checkers = checkerBytes ? requestCheckersOf(checkerBytes) : undefined;
  for (const service of options.services) {
    // A contract declared before its RPCs (no methods yet) still reports health under its name,
    // but grpc-js cannot register a service with no methods.
    if (Object.keys(service.definition).length === 0) continue;
    const definition = checkingRequests(acceptingEncodedResponses(service.definition), checkers);
    server.addService(definition, service.implementation);
  }

  const health = new HealthImplementation();
  const setServing = (serving: boolean): void => {
    for (const name of ['', ...names]) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
  };
  setServing(false);
  health.addToServer(server);
  if (options.descriptorSet !== null) addReflection(server, names, bytes, logger);

  const credentials = options.credentials ?? grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(bindAddress(options.host, options.port), credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  setServing(true);
  logger.info({ host: options.host, port, services: names }, 'gRPC server listening');

  let stopping: Promise<void> | undefined;
  const shutdown = (graceMs: number): Promise<void> => {
    stopping ??= (async () => {
      setServing(false);
      if (options.drainDelayMs) await new Promise((resolve) => setTimeout(resolve, options.drainDelayMs));
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          logger.warn({ graceMs }, 'calls still in flight after the grace period: cutting them off');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      logger.info({ port }, 'gRPC server stopped');
    })();
    return stopping;
  };

  return { port, setServing, shutdown };
}
