import type * as grpc from '@grpc/grpc-js';
import { createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { FieldViolation } from '../errors.js';
import { limitsExtensionOf } from './field-limits.js';
import { RequestCheckerCompiler, type RequestChecker } from './request-checker.js';

/**
 * What a method's handler receives instead of a request the edge refused: the violations, turned
 * into INVALID_ARGUMENT by `implementService` once the caller is authenticated. (A deserializer
 * that throws makes grpc-js answer INTERNAL itself, before any handler runs.)
 */
export class RefusedRequest {
  constructor(readonly violations: readonly FieldViolation[]) {}
}

/** A method path (`/pkg.Service/Method`) → the checker of its request message, if it has one. */
export type RequestCheckers = (methodPath: string) => RequestChecker | undefined;

const byDescriptorSet = new WeakMap<Uint8Array, RequestCheckers>();

/**
 * The request checkers of every method in a serialized FileDescriptorSet, compiled once per method
 * on first use and shared by every server of the process (the embedded mesh starts ten).
 */
export function requestCheckersOf(descriptorSet: Uint8Array): RequestCheckers {
  let checkers = byDescriptorSet.get(descriptorSet);
  if (!checkers) {
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet));
    const compiler = new RequestCheckerCompiler(limitsExtensionOf(registry));
    const compiled = new Map<string, RequestChecker | undefined>();
    checkers = (methodPath) => {
      if (!compiled.has(methodPath)) {
        const [, serviceName, methodName] = methodPath.split('/');
        const method = registry.getService(serviceName ?? '')?.methods.find((m) => m.name === methodName);
        compiled.set(methodPath, method && compiler.compile(method.input));
      }
      return compiled.get(methodPath);
    };
    byDescriptorSet.set(descriptorSet, checkers);
  }
  return checkers;
}

/**
 * The service definition, each request deserializer checking the bytes first: a request that
 * breaks a rule (or does not decode at all) becomes a RefusedRequest instead of an exception.
 */
export function checkingRequests(
  definition: grpc.ServiceDefinition,
  checkers: RequestCheckers | undefined,
): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => {
      const check = checkers?.(method.path);
      const decode = method.requestDeserialize;
      const requestDeserialize = (bytes: Buffer): unknown => {
        const violations = check?.(bytes);
        if (violations && violations.length > 0) return new RefusedRequest(violations);
        try {
          return decode(bytes);
        } catch {
          return new RefusedRequest([{ field: '', description: 'the request does not decode' }]);
        }
      };
      return [name, { ...method, requestDeserialize }];
    }),
  );
}
