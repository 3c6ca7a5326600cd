import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { allow } from '../auth/access-rule.js';
import { admin, customer, signToken, testKey, type TestKey } from '../auth/test/keys.js';
import {
  alreadyExists,
  deadlineExceeded,
  failedPrecondition,
  invalidArgument,
  invalidArguments,
  notFound,
  permissionDenied,
  resourceExhausted,
  unauthenticated,
  unavailable,
  type AppError,
} from '../errors.js';
import { isUuid } from '../ids.js';
import { JwksTokenVerifier } from '../auth/token-verifier.js';
import type { CallContext } from './call-context.js';
import { currentCallScope } from './call-scope.js';
import { implementService, type ServiceHandlers } from './implement-service.js';
import { violationsFrom } from './status-details.js';
import { captureLogger } from './test/capture-logger.js';
import { EchoServiceService } from './test/echo-service.js';
import { bearer, quiet, rawCall, startEchoServer, type EchoServer, type RawResult } from './test/harness.js';

type Handlers = ServiceHandlers<typeof EchoServiceService>;

function expectError(result: RawResult): grpc.ServiceError {
  if (!('error' in result)) return expect.fail(`expected an error, got ${JSON.stringify(result.response)}`);
  return result.error;
}

function expectResponse(result: RawResult) {
  if ('error' in result) return expect.fail(`expected a response, got ${result.error.message}`);
  return result;
}

describe('implementService', () => {
  let key: TestKey;
  let otherKey: TestKey;
  let running: EchoServer | undefined;
  let seen: CallContext | undefined;

  before(async () => {
    key = await testKey('server-key');
    otherKey = await testKey('other-key');
  });

  afterEach(async () => {
    await running?.server.shutdown(100);
    running = undefined;
    seen = undefined;
  });

  function handlers(overrides: Partial<Handlers> = {}): Handlers {
    return {
      echo: {
        access: allow.public(),
        handle: async (request, ctx) => {
          seen = ctx;
          return { text: request.text };
        },
      },
      lookup: {
        access: allow.authenticated(),
        handle: async (request, ctx) => {
          seen = ctx;
          return { text: `${ctx.principal?.userId}:${request.text}` };
        },
      },
      write: {
        access: allow.permission('product:write'),
        handle: async (request) => ({ text: request.text }),
      },
      ...overrides,
    };
  }

  function failingWith(error: unknown): Handlers {
    return handlers({
      echo: {
        access: allow.public(),
        handle: async () => {
          throw error;
        },
      },
    });
  }

  describe('error mapping', () => {
    const cases: [string, AppError, grpc.status, string][] = [
      [
        'invalidArgument',
        invalidArgument('email', 'must be an email address'),
        grpc.status.INVALID_ARGUMENT,
        'email: must be an email address',
      ],
      ['notFound', notFound('product', 'p-1'), grpc.status.NOT_FOUND, 'product p-1 not found'],
      [
        'alreadyExists',
        alreadyExists('account', 'ada@example.com is registered'),
        grpc.status.ALREADY_EXISTS,
        'account already exists: ada@example.com is registered',
      ],
      [
        'failedPrecondition',
        failedPrecondition('out of stock'),
        grpc.status.FAILED_PRECONDITION,
        'out of stock',
      ],
      ['permissionDenied', permissionDenied('not your cart'), grpc.status.PERMISSION_DENIED, 'not your cart'],
      [
        'unauthenticated',
        unauthenticated('password is wrong'),
        grpc.status.UNAUTHENTICATED,
        'password is wrong',
      ],
      [
        'resourceExhausted',
        resourceExhausted('too many attempts'),
        grpc.status.RESOURCE_EXHAUSTED,
        'too many attempts',
      ],
      [
        'unavailable',
        unavailable('payment provider unavailable'),
        grpc.status.UNAVAILABLE,
        'payment provider unavailable',
      ],
      ['deadlineExceeded', deadlineExceeded('took too long'), grpc.status.DEADLINE_EXCEEDED, 'took too long'],
    ];
    for (const [name, error, code, message] of cases) {
      it(`${name} arrives as ${grpc.status[code]} with its message`, async () => {
        running = await startEchoServer(failingWith(error), key);
        const received = expectError(await rawCall(running.address, 'echo', { text: 'x' }));
        expect(received.code).to.equal(code);
        expect(received.details).to.equal(message);
      });
    }

    it('sends field violations as google.rpc.BadRequest details naming each field', async () => {
      const error = invalidArguments([
        { field: 'email', description: 'must be an email address' },
        { field: 'password', description: 'must be at least 12 characters' },
      ]);
      running = await startEchoServer(failingWith(error), key);
      const received = expectError(await rawCall(running.address, 'echo', { text: 'x' }));
      expect(received.code).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(violationsFrom(received.metadata)).to.deep.equal([
        { field: 'email', description: 'must be an email address' },
        { field: 'password', description: 'must be at least 12 characters' },
      ]);
    });

    it('turns an unexpected throw into INTERNAL with a generic message and no stack, and logs the real error', async () => {
      const { logger, lines } = captureLogger();
      const secret = new Error('connection string postgres://admin:hunter2@db failed');
      running = await startEchoServer(failingWith(secret), key, { logger });
      const received = expectError(await rawCall(running.address, 'echo', { text: 'x' }));
      expect(received.code).to.equal(grpc.status.INTERNAL);
      expect(received.details).to.equal('internal error');
      expect(JSON.stringify(received.metadata.getMap())).not.to.contain('hunter2');
      const line = lines.find((l) => l.msg === 'rpc failed');
      expect(line?.level).to.equal('error');
      expect((line?.err as { stack: string }).stack).to.contain('hunter2');
    });
  });

  describe('authentication and authorization', () => {
    it('a public RPC works without a token', async () => {
      running = await startEchoServer(handlers(), key);
      expectResponse(await rawCall(running.address, 'echo', { text: 'hi' }));
      expect(seen?.principal).to.equal(undefined);
    });

    it('a public RPC with an invalid token is UNAUTHENTICATED', async () => {
      running = await startEchoServer(handlers(), key);
      const received = expectError(await rawCall(running.address, 'echo', { text: 'hi' }, bearer('garbage')));
      expect(received.code).to.equal(grpc.status.UNAUTHENTICATED);
    });

    it('an authenticated RPC without a token is UNAUTHENTICATED "missing bearer token"', async () => {
      running = await startEchoServer(handlers(), key);
      const received = expectError(await rawCall(running.address, 'lookup', { text: 'hi' }));
      expect(received.code).to.equal(grpc.status.UNAUTHENTICATED);
      expect(received.details).to.equal('missing bearer token');
    });

    const badTokens: [string, () => Promise<string>][] = [
      ['an invalid', async () => 'not-a-jwt'],
      ['an expired', () => signToken(key, customer, { expiresIn: -60 })],
      ['another key’s', () => signToken(otherKey, customer)],
      ['a forged (other key, known kid)', () => signToken(otherKey, customer, { kid: key.kid })],
    ];
    for (const [name, make] of badTokens) {
      it(`${name} token is UNAUTHENTICATED`, async () => {
        running = await startEchoServer(handlers(), key);
        const received = expectError(
          await rawCall(running.address, 'lookup', { text: 'hi' }, bearer(await make())),
        );
        expect(received.code).to.equal(grpc.status.UNAUTHENTICATED);
      });
    }

    it('a non-Bearer authorization is UNAUTHENTICATED', async () => {
      running = await startEchoServer(handlers(), key);
      const metadata = new grpc.Metadata();
      metadata.set('authorization', 'Basic YWRhOnNlY3JldA==');
      const received = expectError(await rawCall(running.address, 'lookup', { text: 'hi' }, metadata));
      expect(received.code).to.equal(grpc.status.UNAUTHENTICATED);
    });

    it('a valid token reaches the handler as the principal', async () => {
      running = await startEchoServer(handlers(), key);
      const result = expectResponse(
        await rawCall(running.address, 'lookup', { text: 'hi' }, bearer(await signToken(key, customer))),
      );
      expect(result.response.text).to.equal(`${customer.userId}:hi`);
      expect(seen?.principal).to.deep.equal(customer);
    });

    it('a customer token on a permission rule is PERMISSION_DENIED naming the permission; an admin passes', async () => {
      running = await startEchoServer(handlers(), key);
      const denied = expectError(
        await rawCall(running.address, 'write', { text: 'x' }, bearer(await signToken(key, customer))),
      );
      expect(denied.code).to.equal(grpc.status.PERMISSION_DENIED);
      expect(denied.details).to.contain('product:write');
      expectResponse(
        await rawCall(running.address, 'write', { text: 'x' }, bearer(await signToken(key, admin))),
      );
    });
  });

  describe('call context', () => {
    it('takes the correlation id from x-correlation-id, puts it in the call scope and sends it back', async () => {
      let scopeId: string | undefined;
      running = await startEchoServer(
        handlers({
          echo: {
            access: allow.public(),
            handle: async (request, ctx) => {
              seen = ctx;
              scopeId = currentCallScope()?.correlationId;
              return request;
            },
          },
        }),
        key,
      );
      const metadata = new grpc.Metadata();
      metadata.set('x-correlation-id', 'checkout-42');
      const result = expectResponse(await rawCall(running.address, 'echo', { text: 'x' }, metadata));
      expect(seen?.correlationId).to.equal('checkout-42');
      expect(scopeId).to.equal('checkout-42');
      expect(result.trailer.get('x-correlation-id')).to.deep.equal(['checkout-42']);
    });

    it('falls back to x-request-id, then to a new UUID v7; ignores unsafe ids', async () => {
      running = await startEchoServer(handlers(), key);
      const byRequestId = new grpc.Metadata();
      byRequestId.set('x-request-id', 'req-7');
      await rawCall(running.address, 'echo', { text: 'x' }, byRequestId);
      expect(seen?.correlationId).to.equal('req-7');
      for (const bad of ['two words', '{"level":"fatal"}', 'x'.repeat(200)]) {
        const unsafe = new grpc.Metadata();
        unsafe.set('x-correlation-id', bad);
        await rawCall(running.address, 'echo', { text: 'x' }, unsafe);
        expect(isUuid(seen!.correlationId), bad).to.equal(true);
      }
      await rawCall(running.address, 'echo', { text: 'x' });
      expect(isUuid(seen!.correlationId)).to.equal(true);
    });

    it('exposes the service, method and deadline', async () => {
      running = await startEchoServer(handlers(), key);
      const before = Date.now();
      await rawCall(running.address, 'echo', { text: 'x' }, undefined, 3000);
      expect(seen?.service).to.equal('test.v1.EchoService');
      expect(seen?.method).to.equal('Echo');
      expect(seen!.deadline!.getTime()).to.be.within(before + 2000, before + 3100);
    });

    it('answers DEADLINE_EXCEEDED without running the handler when the deadline has already passed', async () => {
      let ran = false;
      const implementation = implementService(
        EchoServiceService,
        handlers({
          echo: {
            access: allow.public(),
            handle: async (r) => {
              ran = true;
              return r;
            },
          },
        }),
        { verifier: new JwksTokenVerifier(async () => []), logger: quiet },
      );
      const call = {
        request: { text: 'x' },
        metadata: new grpc.Metadata(),
        getDeadline: () => new Date(Date.now() - 10),
      } as unknown as grpc.ServerUnaryCall<unknown, unknown>;
      const answer = await new Promise<grpc.ServerErrorResponse | null>((resolve) =>
        (implementation.echo as grpc.handleUnaryCall<unknown, unknown>)(call, (error) =>
          resolve(error as grpc.ServerErrorResponse | null),
        ),
      );
      expect(answer?.code).to.equal(grpc.status.DEADLINE_EXCEEDED);
      expect(ran).to.equal(false);
    });

    it('logs one line per call with service, method, code, duration, correlation id and user id', async () => {
      const { logger, lines } = captureLogger();
      running = await startEchoServer(handlers(), key, { logger });
      const metadata = bearer(await signToken(key, customer));
      metadata.set('x-correlation-id', 'corr-1');
      await rawCall(running.address, 'lookup', { text: 'x' }, metadata);
      await rawCall(running.address, 'write', { text: 'x' }, metadata);
      const rpcLines = lines.filter((l) => String(l.msg).startsWith('rpc'));
      expect(rpcLines).to.have.length(2);
      expect(rpcLines[0]).to.include({
        service: 'test.v1.EchoService',
        method: 'Lookup',
        code: 'OK',
        correlationId: 'corr-1',
        userId: customer.userId,
        level: 'info',
      });
      expect(rpcLines[0]!.durationMs).to.be.a('number');
      expect(rpcLines[1]).to.include({ method: 'Write', code: 'PERMISSION_DENIED', level: 'info' });
    });
  });

  it('refuses to build a service with a missing handler', async () => {
    const { echo, lookup } = handlers();
    expect(() =>
      implementService(EchoServiceService, { echo, lookup } as unknown as Handlers, {
        verifier: { verify: async () => customer },
      }),
    ).to.throw(/Write/);
  });
});
