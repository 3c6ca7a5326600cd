import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, MethodOptions_IdempotencyLevel } from '@bufbuild/protobuf/wkt';
import { rootLogger } from '../log.js';
import { loadDescriptorSet } from './descriptor-set.js';

/** Which RPCs the contract says are safe to retry. */
export interface IdempotencyIndex {
  /** `/pkg.Service/Method` is marked NO_SIDE_EFFECTS or IDEMPOTENT. */
  isRetryable(methodPath: string): boolean;
}

const RETRYABLE = new Set([
  MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS,
  MethodOptions_IdempotencyLevel.IDEMPOTENT,
]);

/** Reads `option idempotency_level` of every method in a serialized FileDescriptorSet. */
export function createIdempotencyIndex(descriptorSet: Uint8Array): IdempotencyIndex {
  const retryable = new Set<string>();
  for (const file of fromBinary(FileDescriptorSetSchema, descriptorSet).file) {
    const prefix = file.package ? `${file.package}.` : '';
    for (const service of file.service) {
      for (const method of service.method) {
        const level = method.options?.idempotencyLevel;
        if (level !== undefined && RETRYABLE.has(level))
          retryable.add(`/${prefix}${service.name}/${method.name}`);
      }
    }
  }
  return { isRetryable: (methodPath) => retryable.has(methodPath) };
}

let defaultIndex: IdempotencyIndex | undefined;

/** The platform's index, from gen/descriptor.binpb; without it nothing is retried (the safe side). */
export function platformIdempotency(): IdempotencyIndex {
  if (!defaultIndex) {
    const bytes = loadDescriptorSet();
    if (!bytes) {
      rootLogger
        .child({ component: 'grpc-client' })
        .warn('gen/descriptor.binpb not found: no RPC will be retried (run `make proto`)');
    }
    defaultIndex = bytes ? createIdempotencyIndex(bytes) : { isRetryable: () => false };
  }
  return defaultIndex;
}

export function isRetryable(methodPath: string): boolean {
  return platformIdempotency().isRetryable(methodPath);
}
