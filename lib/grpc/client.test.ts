import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { once } from 'node:events';
import { allow } from '../auth/access-rule.js';
import { customer, signToken, testKey, type TestKey } from '../auth/test/keys.js';
import {
  aborted,
  AppError,
  failedPrecondition,
  invalidArgument,
  notFound,
  permissionDenied,
  resourceExhausted,
  unauthenticated,
  unavailable,
} from '../errors.js';
import { CallInsideTransactionError } from '../db/transaction-guard.js';
import { breakerState } from '../metrics.js';
import { openScratchDatabase, type ScratchDatabase } from '../testing/scratch-database.js';
import { breakerFor, resetBreakers } from './breaker.js';
import type { CallContext } from './call-context.js';
import { runDetached, runInCallScope } from './call-scope.js';
import { createClient, type CreateClientOptions } from './client.js';
import type { ServiceHandlers } from './implement-service.js';
import { echoIdempotency, EchoServiceClient, type EchoServiceService } from './test/echo-service.js';
import { captureLogger } from './test/capture-logger.js';
import { bearer, rawCall, startEchoServer, type EchoServer } from './test/harness.js';

type Handlers = ServiceHandlers<typeof EchoServiceService>;
type Handle = Handlers['echo']['handle'];

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  }
  return expect.fail('expected the call to fail');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every method of the echo service runs `handle` (public), counting invocations. */
function allMethods(handle: Handle): { handlers: Handlers; invocations: () => number } {
  let count = 0;
  const counted: Handle = async (request, ctx) => {
    count++;
    return handle(request, ctx);
  };
  const method = { access: allow.public(), handle: counted };
  return { handlers: { echo: method, lookup: method, write: method }, invocations: () => count };
}

const FAST_RECONNECT: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 50,
  'grpc.max_reconnect_backoff_ms': 100,
};

describe('createClient', () => {
  let key: TestKey;
  const servers: EchoServer[] = [];
  const clients: { close(): void }[] = [];

  before(async () => {
    key = await testKey('k');
  });

  beforeEach(() => resetBreakers());

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const { server } of servers.splice(0)) await server.shutdown(100);
    resetBreakers();
  });

  async function serve(handlers: Handlers, port?: number): Promise<EchoServer> {
    const running = await startEchoServer(handlers, key, { port });
    servers.push(running);
    return running;
  }

  function client(address: string, options: Partial<CreateClientOptions> = {}) {
    const made = createClient(EchoServiceClient, {
      target: 'echo',
      address,
      idempotency: echoIdempotency,
      channelOptions: FAST_RECONNECT,
      retry: { attempts: 3, backoffMs: 5 },
      logger: captureLogger().logger,
      ...options,
    });
    clients.push(made);
    return made;
  }

  /** A port nothing listens on (a server bound it and went away). */
  async function deadAddress(): Promise<{ address: string; port: number }> {
    const running = await startEchoServer(allMethods(async (r) => r).handlers, key);
    await running.server.shutdown(0);
    return { address: running.address, port: running.server.port };
  }

  it('makes typed calls that resolve to the response', async () => {
    const { address } = await serve(allMethods(async (r) => ({ text: r.text.toUpperCase() })).handlers);
    expect(await client(address).echo({ text: 'hi' })).to.deep.equal({ text: 'HI' });
  });

  it('answers UNAVAILABLE fast, naming the target, when the server is down', async () => {
    const { address } = await deadAddress();
    const started = Date.now();
    const error = await rejection(client(address).echo({ text: 'x' }));
    expect(error.code).to.equal(grpc.status.UNAVAILABLE);
    expect(error.message).to.equal('echo service unavailable');
    expect(Date.now() - started).to.be.lessThan(1000);
  });

  it('opens the breaker after the threshold, then rejects without calling the server', async () => {
    const failing = allMethods(async () => {
      throw unavailable('database down');
    });
    const { address } = await serve(failing.handlers);
    const echo = client(address, {
      breaker: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
    });
    for (let i = 0; i < 4; i++)
      expect((await rejection(echo.echo({ text: 'x' }))).code).to.equal(grpc.status.UNAVAILABLE);
    expect(breakerFor('echo')?.opened).to.equal(true);
    expect((await breakerState.get()).values.find((v) => v.labels.target === 'echo')?.value).to.equal(2);

    for (let i = 0; i < 5; i++) {
      const error = await rejection(echo.lookup({ text: 'x' }));
      expect(error.code).to.equal(grpc.status.UNAVAILABLE);
      expect(error.message).to.equal('echo service unavailable (circuit open)');
    }
    expect(failing.invocations()).to.equal(4);
  });

  it('shares one breaker between the clients of a target with the same options', async () => {
    const { address } = await deadAddress();
    const first = client(address, { breaker: { volumeThreshold: 2, resetTimeoutMs: 60_000 } });
    const second = client(address, { breaker: { volumeThreshold: 2, resetTimeoutMs: 60_000 } });
    await rejection(first.echo({ text: 'x' }));
    await rejection(second.echo({ text: 'x' }));
    expect(breakerFor('echo')?.opened).to.equal(true);
    expect((await rejection(first.echo({ text: 'x' }))).message).to.contain('circuit open');
    expect((await rejection(second.echo({ text: 'x' }))).message).to.contain('circuit open');
  });

  it('honours a client whose breaker options differ: it gets a breaker tuned as it asked', async () => {
    const { address } = await deadAddress();
    const eager = { volumeThreshold: 2, resetTimeoutMs: 60_000 };
    const patient = { volumeThreshold: 50, resetTimeoutMs: 60_000 };
    const first = client(address, { breaker: eager });
    const second = client(address, { breaker: patient });
    await rejection(first.echo({ text: 'x' }));
    await rejection(first.echo({ text: 'x' }));
    expect(breakerFor('echo', eager)?.opened).to.equal(true);
    // The patient client's breaker has seen 0 of its 50 calls: it still tries the network.
    for (let i = 0; i < 3; i++) {
      const error = await rejection(second.echo({ text: 'x' }));
      expect(error.message).to.equal('echo service unavailable');
    }
    expect(breakerFor('echo', patient)?.closed).to.equal(true);
  });

  it('half-opens after resetTimeout and closes when the server is back', async () => {
    const { address, port } = await deadAddress();
    const echo = client(address, { breaker: { volumeThreshold: 2, resetTimeoutMs: 300 } });
    await rejection(echo.echo({ text: 'x' }));
    await rejection(echo.echo({ text: 'x' }));
    const breaker = breakerFor('echo')!;
    expect(breaker.opened).to.equal(true);

    await serve(allMethods(async (r) => r).handlers, port);
    await once(breaker, 'halfOpen');
    expect(breaker.halfOpen).to.equal(true);
    expect(await echo.echo({ text: 'back' })).to.deep.equal({ text: 'back' });
    expect(breaker.closed).to.equal(true);
    expect((await breakerState.get()).values.find((v) => v.labels.target === 'echo')?.value).to.equal(0);
  });

  it('caller errors (NOT_FOUND) come back as AppErrors with code and message and never open the breaker', async () => {
    const { address } = await serve(
      allMethods(async (r) => {
        throw notFound('product', r.text);
      }).handlers,
    );
    const echo = client(address, { breaker: { volumeThreshold: 2, errorThresholdPercentage: 10 } });
    for (let i = 0; i < 10; i++) {
      const error = await rejection(echo.echo({ text: `p-${i}` }));
      expect(error.code).to.equal(grpc.status.NOT_FOUND);
      expect(error.message).to.equal(`product p-${i} not found`);
    }
    expect(breakerFor('echo')?.closed).to.equal(true);
  });

  it('passes a downstream FAILED_PRECONDITION through with its reason and metadata', async () => {
    const { address } = await serve(
      allMethods(async () => {
        throw failedPrecondition('only 2 left', 'OUT_OF_STOCK', { variant_id: 'v1', available: '2' });
      }).handlers,
    );
    const error = await rejection(client(address).echo({ text: 'x' }));
    expect(error.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(error.message).to.equal('only 2 left');
    expect(error.reason).to.equal('OUT_OF_STOCK');
    expect(error.metadata).to.deep.equal({ variant_id: 'v1', available: '2' });
  });

  describe('a dependency refusing this service’s call (our bug or misconfiguration)', () => {
    const refusals: [string, AppError][] = [
      ['UNAUTHENTICATED', unauthenticated('invalid token')],
      ['PERMISSION_DENIED', permissionDenied('requires the service role')],
      ['INVALID_ARGUMENT', invalidArgument('email', 'must be an email address')],
    ];
    for (const [name, refusal] of refusals) {
      it(`${name} becomes INTERNAL naming the target, logged as an error with what the target said`, async () => {
        const { address } = await serve(
          allMethods(async () => {
            throw refusal;
          }).handlers,
        );
        const { logger, lines } = captureLogger();
        const echo = client(address, {
          logger,
          breaker: { volumeThreshold: 2, errorThresholdPercentage: 10 },
        });
        for (let i = 0; i < 5; i++) {
          const error = await rejection(echo.echo({ text: 'x' }));
          expect(error.code).to.equal(grpc.status.INTERNAL);
          expect(error.message).to.equal("echo service refused this service's request");
          expect(error.violations).to.equal(undefined);
        }
        const logged = lines.find((line) => line.level === 'error');
        expect(logged).to.include({ target: 'echo', method: 'Echo', code: name, details: refusal.message });
        // A healthy target answering one caller: never a reason to open the breaker.
        expect(breakerFor('echo')?.closed).to.equal(true);
      });
    }

    it('reaches the end caller as INTERNAL, never as a problem with their own valid token', async () => {
      const back = await serve({
        ...allMethods(async (r) => r).handlers,
        lookup: { access: allow.internal(), handle: async (r) => r },
      });
      const backClient = client(back.address, { logger: captureLogger().logger });
      const front = await serve({
        ...allMethods(async (r) => r).handlers,
        echo: {
          access: allow.authenticated(),
          // Relays the customer's token to an internal RPC: a bug of this front service.
          handle: async (request) => backClient.lookup(request),
        },
      });
      const result = await rawCall(
        front.address,
        'echo',
        { text: 'x' },
        bearer(await signToken(key, customer)),
      );
      expect('error' in result && result.error.code).to.equal(grpc.status.INTERNAL);
    });
  });

  it('a per-customer RESOURCE_EXHAUSTED passes through and never opens the breaker', async () => {
    const { address } = await serve(
      allMethods(async () => {
        throw resourceExhausted('too many login attempts; retry in 30 s', 'TOO_MANY_LOGIN_ATTEMPTS');
      }).handlers,
    );
    const echo = client(address, { breaker: { volumeThreshold: 2, errorThresholdPercentage: 10 } });
    for (let i = 0; i < 10; i++) {
      const error = await rejection(echo.echo({ text: 'x' }));
      expect(error.code).to.equal(grpc.status.RESOURCE_EXHAUSTED);
      expect(error.reason).to.equal('TOO_MANY_LOGIN_ATTEMPTS');
    }
    expect(breakerFor('echo')?.closed).to.equal(true);
  });

  it('a downstream bug comes back as INTERNAL naming the target, without its details', async () => {
    const { address } = await serve(
      allMethods(async () => {
        throw new Error('secret details of a bug');
      }).handlers,
    );
    const error = await rejection(client(address, { logger: captureLogger().logger }).echo({ text: 'x' }));
    expect(error.code).to.equal(grpc.status.INTERNAL);
    expect(error.message).to.equal('echo service failed');
  });

  describe('retries', () => {
    function failingFirst(n: number) {
      let failures = 0;
      return allMethods(async (r) => {
        if (failures++ < n) throw unavailable('warming up');
        return r;
      });
    }

    it('retries an idempotent RPC on UNAVAILABLE until it succeeds', async () => {
      const flaky = failingFirst(2);
      const { address } = await serve(flaky.handlers);
      expect(await client(address).lookup({ text: 'x' })).to.deep.equal({ text: 'x' });
      expect(flaky.invocations()).to.equal(3);
    });

    it('retries an idempotent RPC whose transaction lost a race (ABORTED)', async () => {
      let failures = 0;
      const racing = allMethods(async (r) => {
        if (failures++ < 1)
          throw aborted('the change collided with a concurrent one and was not made; retry');
        return r;
      });
      const { address } = await serve(racing.handlers);
      expect(await client(address).lookup({ text: 'x' })).to.deep.equal({ text: 'x' });
      expect(racing.invocations()).to.equal(2);
    });

    it('calls a non-idempotent RPC once', async () => {
      const flaky = failingFirst(2);
      const { address } = await serve(flaky.handlers);
      expect((await rejection(client(address).write({ text: 'x' }))).code).to.equal(grpc.status.UNAVAILABLE);
      expect(flaky.invocations()).to.equal(1);
    });

    it('stops after the configured attempts', async () => {
      const flaky = failingFirst(100);
      const { address } = await serve(flaky.handlers);
      await rejection(client(address, { retry: { attempts: 3, backoffMs: 1 } }).lookup({ text: 'x' }));
      expect(flaky.invocations()).to.equal(3);
    });

    it('does not retry caller errors', async () => {
      const missing = allMethods(async () => {
        throw notFound('thing');
      });
      const { address } = await serve(missing.handlers);
      await rejection(client(address).lookup({ text: 'x' }));
      expect(missing.invocations()).to.equal(1);
    });

    it('never retries past the deadline', async () => {
      const flaky = failingFirst(100);
      const { address } = await serve(flaky.handlers);
      const started = Date.now();
      await rejection(
        client(address, { retry: { attempts: 10, backoffMs: 80 } }).lookup(
          { text: 'x' },
          { deadlineMs: 150 },
        ),
      );
      expect(Date.now() - started).to.be.lessThan(400);
      expect(flaky.invocations()).to.be.lessThan(10);
    });
  });

  describe('deadlines', () => {
    it('a slow server answers DEADLINE_EXCEEDED naming the target', async () => {
      const { address } = await serve(
        allMethods(async (r) => {
          await sleep(1000);
          return r;
        }).handlers,
      );
      const started = Date.now();
      const error = await rejection(client(address).write({ text: 'x' }, { deadlineMs: 100 }));
      expect(error.code).to.equal(grpc.status.DEADLINE_EXCEEDED);
      expect(error.message).to.contain('echo service');
      expect(Date.now() - started).to.be.lessThan(600);
    });

    it('does not call at all when the caller has no time left', async () => {
      const counted = allMethods(async (r) => r);
      const { address } = await serve(counted.handlers);
      const echo = client(address);
      const error = await rejection(
        runInCallScope({ correlationId: 'c', deadline: new Date(Date.now() - 1) }, () =>
          echo.echo({ text: 'x' }),
        ),
      );
      expect(error.code).to.equal(grpc.status.DEADLINE_EXCEEDED);
      expect(counted.invocations()).to.equal(0);
    });
  });

  describe('propagation through a nested call', () => {
    let backSaw: CallContext | undefined;
    let frontSaw: CallContext | undefined;

    let backRemainingMs: number | undefined;

    async function frontAndBack(): Promise<string> {
      const back = await serve(
        allMethods(async (r, ctx) => {
          backSaw = ctx;
          backRemainingMs = ctx.deadline!.getTime() - Date.now();
          return r;
        }).handlers,
      );
      const backClient = client(back.address, { defaultDeadlineMs: 10_000 });
      const front = await serve({
        ...allMethods(async () => ({ text: '' })).handlers,
        echo: {
          access: allow.authenticated(),
          handle: async (request, ctx) => {
            frontSaw = ctx;
            return backClient.lookup(request);
          },
        },
      });
      return front.address;
    }

    it('carries the correlation id and the caller’s token to the nested call', async () => {
      const address = await frontAndBack();
      const metadata = bearer(await signToken(key, customer));
      metadata.set('x-correlation-id', 'checkout-77');
      const result = await rawCall(address, 'echo', { text: 'x' }, metadata);
      expect('response' in result).to.equal(true);
      expect(frontSaw?.correlationId).to.equal('checkout-77');
      expect(backSaw?.correlationId).to.equal('checkout-77');
      expect(backSaw?.metadata.get('authorization')).to.deep.equal(metadata.get('authorization'));
    });

    it('gives the nested call at most the caller’s remaining time', async () => {
      const address = await frontAndBack();
      const metadata = bearer(await signToken(key, customer));
      await rawCall(address, 'echo', { text: 'x' }, metadata, 500);
      // The back service's own default would be 10 s; the front caller only had 500 ms in all.
      expect(frontSaw!.deadline).to.not.equal(undefined);
      expect(backRemainingMs).to.be.at.most(500);
    });

    it('sends a new correlation id when there is no call scope', async () => {
      const counted = allMethods(async (r, ctx) => {
        backSaw = ctx;
        return r;
      });
      const { address } = await serve(counted.handlers);
      await client(address).echo({ text: 'x' });
      expect(backSaw?.correlationId).to.match(/^[0-9a-f-]{36}$/);
    });
  });

  describe('detached work (runDetached)', () => {
    it('calls with its own deadline, past the caller’s, and the caller’s correlation id', async () => {
      let backSaw: CallContext | undefined;
      const back = await serve(
        allMethods(async (r, ctx) => {
          backSaw = ctx;
          return r;
        }).handlers,
      );
      const echo = client(back.address, { defaultDeadlineMs: 5_000 });
      const caller = { correlationId: 'checkout-9', deadline: new Date(Date.now() + 50) };
      const compensation = runInCallScope(caller, () =>
        runDetached({ deadlineMs: 3_000 }, async () => {
          await sleep(100); // the caller's deadline has passed by now
          return echo.write({ text: 'undo' });
        }),
      );
      expect(await compensation).to.deep.equal({ text: 'undo' });
      expect(backSaw?.correlationId).to.equal('checkout-9');
      const left = backSaw!.deadline!.getTime() - Date.now();
      expect(left).to.be.greaterThan(2_000).and.at.most(3_000);
    });

    it('without detaching, the same work has no time left once the caller’s deadline passed', async () => {
      const counted = allMethods(async (r) => r);
      const { address } = await serve(counted.handlers);
      const echo = client(address);
      const error = await rejection(
        runInCallScope({ correlationId: 'c', deadline: new Date(Date.now() + 50) }, async () => {
          await sleep(100);
          return echo.write({ text: 'undo' });
        }),
      );
      expect(error.code).to.equal(grpc.status.DEADLINE_EXCEEDED);
      expect(counted.invocations()).to.equal(0);
    });
  });

  describe('inside a database transaction', () => {
    let database: ScratchDatabase;

    before(async () => {
      database = await openScratchDatabase('client_tx');
    });
    after(async () => {
      await database.drop();
    });

    it('refuses the call outside production, without calling the target', async () => {
      const counted = allMethods(async (r) => r);
      const { address } = await serve(counted.handlers);
      const echo = client(address, { production: false });
      let refusal: unknown;
      await database.orm.em.fork().transactional(async () => {
        refusal = await echo.echo({ text: 'x' }).catch((error: unknown) => error);
      });
      expect(refusal).to.be.instanceOf(CallInsideTransactionError);
      expect((refusal as Error).message).to.contain('echo Echo was called inside a database transaction');
      expect(counted.invocations()).to.equal(0);
      // Before and after the transaction the same client calls as usual.
      expect(await echo.echo({ text: 'y' })).to.deep.equal({ text: 'y' });
    });

    it('in production, logs the bug as an error and makes the call', async () => {
      const { address } = await serve(allMethods(async (r) => r).handlers);
      const { logger, lines } = captureLogger();
      const echo = client(address, { production: true, logger });
      const answer = await database.orm.em.fork().transactional(() => echo.echo({ text: 'x' }));
      expect(answer).to.deep.equal({ text: 'x' });
      expect(lines.find((line) => line.level === 'error')?.msg).to.equal(
        'gRPC call inside a database transaction',
      );
    });
  });
});
