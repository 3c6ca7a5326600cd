import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  create,
  createFileRegistry,
  fromBinary,
  fromJson,
  toBinary,
  toJson,
  type JsonValue,
} from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';

/**
 * What grpcurl does without proto files: asks a server's reflection service which services it has
 * and for the descriptors of one of them (with every file it imports), then calls a method with a
 * JSON request, marshalled through those descriptors alone (the proto3 JSON mapping of
 * @bufbuild/protobuf: lowerCamelCase fields, maps as objects, Timestamps as RFC 3339, int64 as
 * strings). Nothing here knows our contracts, so a successful call proves the served descriptors
 * are complete.
 */

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

type ReflectionStream = grpc.ClientDuplexStream<object, ReflectionResponse>;
type ReflectionClient = grpc.Client & { ServerReflectionInfo(): ReflectionStream };

function reflectionClient(address: string): ReflectionClient {
  const require = createRequire(import.meta.url);
  const protoPath = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
  const loaded = grpc.loadPackageDefinition(loadSync(protoPath, { keepCase: true })) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: new (...args: unknown[]) => ReflectionClient } } };
  };
  return new loaded.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
}

/** One reflection request on its own stream. */
function ask(client: ReflectionClient, request: object): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo();
    stream.on('data', (response: ReflectionResponse) => {
      resolve(response);
      stream.end();
    });
    stream.on('error', reject);
    stream.write(request);
  });
}

/** The decoded FileDescriptorProtos a reflection request answers with. */
async function fileDescriptors(client: ReflectionClient, request: object): Promise<FileDescriptorProto[]> {
  const response = await ask(client, request);
  if (response.error_response) {
    throw new Error(`reflection: ${response.error_response.error_message}`);
  }
  return (response.file_descriptor_response?.file_descriptor_proto ?? []).map((bytes) =>
    fromBinary(FileDescriptorProtoSchema, bytes),
  );
}

export interface CallResult {
  /** The response message in the proto3 JSON mapping. */
  response: Record<string, unknown>;
}

export class GrpcReflectionCaller {
  private readonly reflection: ReflectionClient;

  constructor(private readonly address: string) {
    this.reflection = reflectionClient(address);
  }

  /** The fully-qualified names of the services the server offers. */
  async listServices(): Promise<string[]> {
    const response = await ask(this.reflection, { list_services: '*' });
    return (response.list_services_response?.service ?? []).map((service) => service.name).sort();
  }

  /**
   * Calls `package.Service/Method` with a JSON request; `metadata` entries become call headers
   * (`authorization: Bearer …`). Rejects with the gRPC error the server answered.
   */
  async call(
    fullMethod: string,
    request: Record<string, unknown>,
    metadata: Record<string, string> = {},
    deadlineMs = 10_000,
  ): Promise<CallResult> {
    const [serviceName, methodName] = fullMethod.split('/');
    if (!serviceName || !methodName)
      throw new Error(`method must be package.Service/Method, not ${fullMethod}`);
    const files = await this.descriptorsOf(serviceName);
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: files }));
    const method = registry.getService(serviceName)?.methods.find((m) => m.name === methodName);
    if (!method) throw new Error(`${this.address} has no method ${fullMethod}`);
    // Refused here, naming the field, before anything is sent.
    const message = fromJson(method.input, request as JsonValue);

    const headers = new grpc.Metadata();
    for (const [key, value] of Object.entries(metadata)) headers.set(key, value);
    const channel = new grpc.Client(this.address, grpc.credentials.createInsecure());
    try {
      const response = await new Promise<JsonValue>((resolve, reject) => {
        channel.makeUnaryRequest(
          `/${serviceName}/${methodName}`,
          () => Buffer.from(toBinary(method.input, message)),
          (bytes: Buffer) => toJson(method.output, fromBinary(method.output, bytes)),
          message,
          headers,
          { deadline: Date.now() + deadlineMs },
          (error, value) => (error ? reject(error) : resolve(value!)),
        );
      });
      return { response: response as Record<string, unknown> };
    } finally {
      channel.close();
    }
  }

  /**
   * The descriptor files the server serves for `symbol`: the one declaring it and every file it
   * imports, each after its imports.
   */
  async descriptorsOf(symbol: string): Promise<FileDescriptorProto[]> {
    const byName = new Map<string, FileDescriptorProto>();
    const pending = await fileDescriptors(this.reflection, { file_containing_symbol: symbol });
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (byName.has(file.name)) continue;
      byName.set(file.name, file);
      for (const dependency of file.dependency) {
        if (!byName.has(dependency)) {
          pending.push(...(await fileDescriptors(this.reflection, { file_by_filename: dependency })));
        }
      }
    }
    // Dependencies first: a FileDescriptorSet is read in order, and a file's imports must come
    // before it (reflection answers an import used only for its options later than the rest).
    const ordered: FileDescriptorProto[] = [];
    const placed = new Set<string>();
    const place = (file: FileDescriptorProto): void => {
      if (placed.has(file.name)) return;
      placed.add(file.name);
      for (const dependency of file.dependency) {
        const imported = byName.get(dependency);
        if (imported) place(imported);
      }
      ordered.push(file);
    };
    for (const file of byName.values()) place(file);
    return ordered;
  }

  close(): void {
    this.reflection.close();
  }
}
