import { expect } from 'chai';
import { AuthServiceClient, AuthServiceService, LoginResponse } from '../../gen/ecommerce/auth/v1/auth.js';
import { allow } from '../auth/access-rule.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { createClient } from './client.js';
import { implementService, type ServiceHandlers } from './implement-service.js';

// Compile-time checks: `npx tsc --noEmit` fails if the typing of handlers or clients regresses.
// The functions are never called; the test only makes sure this file is part of the suite.
const verifier: TokenVerifier = {
  verify: async () => ({ userId: '', email: '', roles: [], permissions: [] }),
};

// The auth RPCs these checks do not look at, typed as handlers (never built: compile time only).
const others = {} as Omit<ServiceHandlers<typeof AuthServiceService>, 'register' | 'login' | 'getJwks'>;

export function typedHandlersCompile(): void {
  implementService(
    AuthServiceService,
    {
      ...others,
      register: {
        access: allow.public(),
        handle: async (request) => ({ userId: 'u', email: request.email }),
      },
      login: { access: allow.public(), handle: async () => LoginResponse.fromPartial({}) },
      getJwks: { access: allow.public(), handle: async () => ({ keys: [] }) },
    },
    { verifier },
  );

  const missingGetJwks = { ...others, register: undefined as never, login: undefined as never };
  // @ts-expect-error a method without a handler does not compile
  implementService(AuthServiceService, missingGetJwks, { verifier });

  const wrongResponse = {
    ...others,
    register: { access: allow.public(), handle: async () => ({ wrong: true }) },
    login: undefined as never,
    getJwks: undefined as never,
  };
  // @ts-expect-error a handler answering the wrong response type does not compile
  implementService(AuthServiceService, wrongResponse, { verifier });
}

export async function typedClientCompiles(): Promise<void> {
  const auth = createClient(AuthServiceClient, { target: 'auth', address: '127.0.0.1:1' });
  const { keys } = await auth.getJwks({});
  const kid: string | undefined = keys[0]?.kid;
  // @ts-expect-error the request type is checked
  await auth.register({ email: 1 });
  // @ts-expect-error only methods of the service exist
  await auth.deleteEverything({});
  void kid;
}

describe('typing of handlers and clients', () => {
  it('is checked by tsc (see this file)', () => {
    expect(typedHandlersCompile).to.be.a('function');
    expect(typedClientCompiles).to.be.a('function');
  });
});
