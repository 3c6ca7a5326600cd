import type { AccessRule } from '../auth/access-rule.js';

const declared = new Map<string, AccessRule>();

/** Records the access rule an RPC (`/pkg.Service/Method`) is served with (implementService does). */
export function declareAccess(methodPath: string, rule: AccessRule): void {
  declared.set(methodPath, rule);
}

/**
 * The access rule of an RPC served by this process, or undefined. The access walk
 * (test/contract-walks.test.ts) reads the rules here to know which caller each RPC must refuse.
 */
export function declaredAccessOf(methodPath: string): AccessRule | undefined {
  return declared.get(methodPath);
}
