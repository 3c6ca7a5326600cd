import * as grpc from '@grpc/grpc-js';
import { AuthServiceClient } from '../../gen/ecommerce/auth/v1/auth.js';
import { CartServiceClient } from '../../gen/ecommerce/cart/v1/cart.js';
import { ProductServiceClient } from '../../gen/ecommerce/product/v1/product.js';
import { UserServiceClient } from '../../gen/ecommerce/user/v1/user.js';
import type { GeneratedClientConstructor } from '../../lib/grpc/index.js';
import type { RequestOf, ResponseOf } from '../../lib/grpc/index.js';
import { errorReasonFrom, violationsFrom } from '../../lib/grpc/index.js';
import type { ErrorReason } from '../../lib/errors.js';

/** What a BFF sees of a failed call: the status, the message, the field violations and the reason. */
export interface CallFailure extends Error {
  code: grpc.status;
  details: string;
  violations: { field: string; description: string }[];
  /** The `google.rpc.ErrorInfo` of the platform domain, when the failure has a reason. */
  errorInfo: ErrorReason | undefined;
}

type UnaryMethods<D extends grpc.ServiceDefinition> = {
  [K in keyof D]: (
    request: RequestOf<D[K]>,
    options?: { token?: string; sessionId?: string; deadlineMs?: number },
  ) => Promise<ResponseOf<D[K]>>;
};

/**
 * A plain promise client, as an outside caller has one: no breaker, no retry, a 10 s deadline
 * (or `deadlineMs`), `authorization: Bearer <token>` when a token is given.
 */
export function plainClient<D extends grpc.ServiceDefinition>(
  Client: GeneratedClientConstructor<D>,
  address: string,
): UnaryMethods<D> & { close(): void } {
  const channel = new Client(address, grpc.credentials.createInsecure());
  const methods: Record<string, unknown> = { close: () => channel.close() };
  for (const [name, definition] of Object.entries(Client.service)) {
    methods[name] = (request: unknown, options: { token?: string; deadlineMs?: number } = {}) =>
      new Promise((resolve, reject) => {
        const metadata = new grpc.Metadata();
        if (options.token) metadata.set('authorization', `Bearer ${options.token}`);
        channel.makeUnaryRequest(
          definition.path,
          definition.requestSerialize,
          definition.responseDeserialize,
          request,
          metadata,
          { deadline: Date.now() + (options.deadlineMs ?? 10_000) },
          (error, response) => {
            if (!error) return resolve(response);
            reject(
              Object.assign(error, {
                violations: violationsFrom(error.metadata) ?? [],
                errorInfo: errorReasonFrom(error.metadata),
              }),
            );
          },
        );
      });
  }
  return methods as UnaryMethods<D> & { close(): void };
}

/** Runs a call that must fail and returns how it failed (a call that succeeds fails the test). */
export async function failureOf(call: Promise<unknown>): Promise<CallFailure> {
  try {
    await call;
  } catch (error) {
    return error as CallFailure;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export function clientsFor(address: (name: 'auth' | 'user' | 'product' | 'cart') => string) {
  return {
    auth: plainClient(AuthServiceClient, address('auth')),
    user: plainClient(UserServiceClient, address('user')),
    product: plainClient(ProductServiceClient, address('product')),
    cart: plainClient(CartServiceClient, address('cart')),
  };
}

export { eventually } from '../../lib/testing/eventually.js';
