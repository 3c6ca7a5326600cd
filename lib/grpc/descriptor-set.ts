import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProcessSettings } from '../config/process-settings.js';

let cached: { bytes: Buffer | undefined } | undefined;

/** GRPC_DESCRIPTOR_SET if set, else where `buf build` writes it (`make proto`). */
function candidates(): string[] {
  const fromEnv = loadProcessSettings(process.env).grpcDescriptorSet;
  return [
    ...(fromEnv ? [fromEnv] : []),
    fileURLToPath(new URL('../../gen/descriptor.binpb', import.meta.url)), // lib/grpc in the source tree
    fileURLToPath(new URL('../../../gen/descriptor.binpb', import.meta.url)), // dist/lib/grpc after a build
    join(process.cwd(), 'gen', 'descriptor.binpb'),
  ];
}

/**
 * The descriptor set of every proto of the platform (read once), or undefined when it has not
 * been generated. Reflection serves it; the client reads idempotency levels from it.
 */
export function loadDescriptorSet(): Buffer | undefined {
  if (!cached) {
    const path = candidates().find((candidate) => existsSync(candidate));
    cached = { bytes: path ? readFileSync(path) : undefined };
  }
  return cached.bytes;
}
