import * as grpc from '@grpc/grpc-js';
import { createFileRegistry, fromBinary, type DescMethod } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { principalOf, type Principal } from '../../lib/auth/index.js';
import { SERVICE_NAMES, type ServiceName } from '../../lib/config/index.js';
import { isAppError } from '../../lib/errors.js';
import { loadDescriptorSet } from '../../lib/grpc/descriptor-set.js';
import { declaredAccessOf } from '../../lib/grpc/declared-access.js';

/** The calls of the access walk (test/contract-walks.test.ts). */

/** Every RPC of the platform's contracts (gen/descriptor.binpb), with the service that serves it. */
export function contractMethods(): { service: ServiceName; path: string }[] {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, loadDescriptorSet()!));
  const methods: { service: ServiceName; path: string }[] = [];
  for (const file of registry.files) {
    const owner = /^ecommerce\.([a-z]+)\.v1$/.exec(file.proto.package)?.[1];
    if (!owner || file.services.length === 0) continue;
    expect(SERVICE_NAMES, `package ${file.proto.package}`).to.include(owner);
    for (const service of file.services) {
      for (const method of service.methods as DescMethod[]) {
        methods.push({ service: owner as ServiceName, path: `/${service.typeName}/${method.name}` });
      }
    }
  }
  return methods;
}

export interface Caller {
  kind: string;
  token?: string;
  principal?: Principal;
}

export function callerWith(kind: string, token: string): Caller {
  const principal = principalOf(decodeJwt(token));
  if (!principal) throw new Error(`the ${kind} token names no principal`);
  return { kind, token, principal };
}

/** The code an empty request (zero bytes: every field at its default) is answered with. */
export function codeOfEmptyCall(
  channel: grpc.Client,
  path: string,
  token: string | undefined,
): Promise<grpc.status> {
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    channel.makeUnaryRequest(
      path,
      (request: Buffer) => request,
      (response: Buffer) => response,
      Buffer.alloc(0),
      metadata,
      { deadline: Date.now() + 15_000 },
      (error) => resolve(error ? error.code : grpc.status.OK),
    );
  });
}

/** What the method's access rule answers this caller: the refusal's code, or undefined if let through. */
export function ruleRefusalOf(path: string, caller: Caller): grpc.status | undefined {
  const rule = declaredAccessOf(path);
  if (!rule) throw new Error(`${path} is served without a declared access rule`);
  try {
    rule.check(caller.principal);
    return undefined;
  } catch (error) {
    if (!isAppError(error)) throw error;
    return error.code;
  }
}

export const REFUSALS = new Set([grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED]);
export const NEVER = new Set([grpc.status.INTERNAL, grpc.status.UNKNOWN]);
export const BATCH = 16;

/**
 * Every RPC of every service (from the contracts, so a service's new RPCs are walked without a new
 * case), called with an empty request by each kind of caller: none, a customer, another customer,
 * an admin, a platform service. Where the RPC's declared access rule refuses the caller, the answer
 * is that refusal (UNAUTHENTICATED or PERMISSION_DENIED); where it lets the caller through, the
 * handler answers anything but a refusal (a validation refusal, NOT_FOUND, OK...). Never INTERNAL
 * or UNKNOWN. The rules are read from the handlers this process serves, so the mesh runs in process.
 */
