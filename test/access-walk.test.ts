import * as grpc from '@grpc/grpc-js';
import { createFileRegistry, fromBinary, type DescMethod } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { AuthServiceClient } from '../gen/ecommerce/auth/v1/auth.js';
import { UserServiceClient } from '../gen/ecommerce/user/v1/user.js';
import { principalOf, type Principal } from '../lib/auth/index.js';
import { SERVICE_NAMES, type ServiceName } from '../lib/config/index.js';
import { isAppError } from '../lib/errors.js';
import { loadDescriptorSet } from '../lib/grpc/descriptor-set.js';
import { declaredAccessOf } from '../lib/grpc/declared-access.js';
import { eventually, plainClient } from './support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { internalToken } from './support/tokens.js';
import { uniqueEmail } from './support/unique.js';

/** Every RPC of the platform's contracts (gen/descriptor.binpb), with the service that serves it. */
function contractMethods(): { service: ServiceName; path: string }[] {
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

interface Caller {
  kind: string;
  token?: string;
  principal?: Principal;
}

function callerWith(kind: string, token: string): Caller {
  const principal = principalOf(decodeJwt(token));
  if (!principal) throw new Error(`the ${kind} token names no principal`);
  return { kind, token, principal };
}

/** The code an empty request (zero bytes: every field at its default) is answered with. */
function codeOfEmptyCall(
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
function ruleRefusalOf(path: string, caller: Caller): grpc.status | undefined {
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

const REFUSALS = new Set([grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED]);
const NEVER = new Set([grpc.status.INTERNAL, grpc.status.UNKNOWN]);
const BATCH = 16;

/**
 * Every RPC of every service (from the contracts, so a service's new RPCs are walked without a new
 * case), called with an empty request by each kind of caller: none, a customer, another customer,
 * an admin, a platform service. Where the RPC's declared access rule refuses the caller, the answer
 * is that refusal (UNAUTHENTICATED or PERMISSION_DENIED); where it lets the caller through, the
 * handler answers anything but a refusal (a validation refusal, NOT_FOUND, OK...). Never INTERNAL
 * or UNKNOWN. The rules are read from the handlers this process serves, so the mesh runs in process.
 */
describe('access walk: every RPC of every service, every kind of caller', function () {
  this.timeout(300_000);
  let mesh: TestMesh;
  const channels = new Map<ServiceName, grpc.Client>();
  const callers: Caller[] = [{ kind: 'no caller' }];

  before(async () => {
    mesh = await startTestMesh(SERVICE_NAMES, { inProcess: true });
    const auth = plainClient(AuthServiceClient, mesh.address('auth'));
    const user = plainClient(UserServiceClient, mesh.address('user'));
    try {
      const customer = async (tag: string): Promise<string> => {
        const email = uniqueEmail(tag);
        await auth.register({ email, password: 'walk-the-rules-42', firstName: 'Ada', lastName: 'Lee' });
        const { accessToken } = await auth.login({ email, password: 'walk-the-rules-42' });
        // The profile is made from the registration event: a "My" RPC before it would only say "retry".
        await eventually(() => user.getMyProfile({}, { token: accessToken }), { timeoutMs: 15_000 });
        return accessToken;
      };
      callers.push(callerWith('customer', await customer('walker')));
      callers.push(callerWith('another customer', await customer('other-walker')));
      const admin = await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      callers.push(callerWith('admin', admin.accessToken));
      callers.push(callerWith('platform service', await internalToken(mesh, 'order')));
    } finally {
      auth.close();
      user.close();
    }
    for (const name of SERVICE_NAMES)
      channels.set(name, new grpc.Client(mesh.address(name), grpc.credentials.createInsecure()));
  });
  after(async () => {
    for (const channel of channels.values()) channel.close();
    await mesh?.stop();
  });

  it('answers each caller what the RPC’s access rule says, and never INTERNAL or UNKNOWN', async () => {
    const methods = contractMethods();
    expect(methods.length).to.be.greaterThan(60);
    const calls = methods.flatMap((method) => callers.map((caller) => ({ ...method, caller })));
    const wrong: string[] = [];
    for (let start = 0; start < calls.length; start += BATCH) {
      await Promise.all(
        calls.slice(start, start + BATCH).map(async ({ service, path, caller }) => {
          const expected = ruleRefusalOf(path, caller);
          const code = await codeOfEmptyCall(channels.get(service)!, path, caller.token);
          const answered = grpc.status[code];
          if (NEVER.has(code)) wrong.push(`${path} (${caller.kind}): ${answered}`);
          else if (expected !== undefined && code !== expected)
            wrong.push(
              `${path} (${caller.kind}): ${answered}, the rule refuses with ${grpc.status[expected]}`,
            );
          else if (expected === undefined && REFUSALS.has(code))
            wrong.push(`${path} (${caller.kind}): ${answered}, though the rule lets this caller through`);
        }),
      );
    }
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
  });
});
