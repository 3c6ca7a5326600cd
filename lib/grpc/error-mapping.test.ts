import * as grpc from '@grpc/grpc-js';
import { OptimisticLockError } from '@mikro-orm/core';
import { expect } from 'chai';
import { ErrorInfo } from '../../gen/google/rpc/error_details.js';
import { Status } from '../../gen/google/rpc/status.js';
import { testKey, type TestKey } from '../auth/test/keys.js';
import { allow } from '../auth/access-rule.js';
import { AppError, failedPrecondition, invalidArgument } from '../errors.js';
import { openScratchDatabase, type ScratchDatabase } from '../testing/scratch-database.js';
import { mapError } from './error-mapping.js';
import type { ServiceHandlers } from './implement-service.js';
import { errorReasonFrom, STATUS_DETAILS_KEY, violationsFrom } from './status-details.js';
import type { EchoServiceService } from './test/echo-service.js';
import { rawCall, startEchoServer, type EchoServer } from './test/harness.js';

type Handlers = ServiceHandlers<typeof EchoServiceService>;

function failingWith(fail: () => Promise<never>): Handlers {
  const method = { access: allow.public(), handle: fail };
  return { echo: method, lookup: method, write: method };
}

describe('error mapping: what a caller receives for a failure', () => {
  let key: TestKey;
  let database: ScratchDatabase;
  const servers: EchoServer[] = [];

  before(async () => {
    key = await testKey('k');
    database = await openScratchDatabase('error_mapping');
  });
  after(async () => {
    await database.drop();
  });
  afterEach(async () => {
    for (const { server } of servers.splice(0)) await server.shutdown(100);
  });

  async function failureOver(fail: () => Promise<never>): Promise<grpc.ServiceError> {
    const running = await startEchoServer(failingWith(fail), key);
    servers.push(running);
    const result = await rawCall(running.address, 'echo', { text: 'x' });
    if (!('error' in result)) throw new Error('expected the call to fail');
    return result.error;
  }

  it('sends an AppError’s reason and metadata as google.rpc.ErrorInfo of the platform domain', async () => {
    const error = await failureOver(async () => {
      throw failedPrecondition('only 2 of SKU-1 available', 'OUT_OF_STOCK', { variant_id: 'v1' });
    });
    expect(error.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(error.details).to.equal('only 2 of SKU-1 available');
    expect(errorReasonFrom(error.metadata)).to.deep.equal({
      reason: 'OUT_OF_STOCK',
      metadata: { variant_id: 'v1' },
    });
  });

  it('carries field violations and a reason side by side', () => {
    const error = new AppError(
      grpc.status.INVALID_ARGUMENT,
      'email: taken',
      [{ field: 'email', description: 'taken' }],
      {
        reason: 'EMAIL_TAKEN',
      },
    );
    const { metadata } = mapError(error);
    expect(violationsFrom(metadata)).to.deep.equal([{ field: 'email', description: 'taken' }]);
    expect(errorReasonFrom(metadata)).to.deep.equal({ reason: 'EMAIL_TAKEN' });
  });

  it('sends no details for an AppError with neither violations nor reason', () => {
    expect(mapError(failedPrecondition('plain')).metadata.get('grpc-status-details-bin')).to.deep.equal([]);
    expect(violationsFrom(mapError(invalidArgument('a', 'b')).metadata)).to.have.length(1);
  });

  it('reads only an ErrorInfo of the platform domain', () => {
    const foreign = ErrorInfo.encode({
      reason: 'RATE_LIMIT_EXCEEDED',
      domain: 'googleapis.com',
      metadata: {},
    });
    const status = Status.encode({
      code: grpc.status.RESOURCE_EXHAUSTED,
      message: 'x',
      details: [
        { typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo', value: Buffer.from(foreign.finish()) },
      ],
    });
    const trailer = new grpc.Metadata();
    trailer.set(STATUS_DETAILS_KEY, Buffer.from(status.finish()));
    expect(errorReasonFrom(trailer)).to.equal(undefined);
    expect(errorReasonFrom(new grpc.Metadata())).to.equal(undefined);
  });

  it('refuses a reason that is not UPPER_SNAKE (a bug, at the throw site)', () => {
    expect(() => failedPrecondition('x', 'out of stock')).to.throw(/UPPER_SNAKE/);
  });

  for (const [name, sqlstate] of [
    ['a serialization failure', '40001'],
    ['a deadlock', '40P01'],
  ] as const) {
    it(`answers ${name} (SQLSTATE ${sqlstate}) from the database as ABORTED with CONCURRENT_UPDATE`, async () => {
      const error = await failureOver(() =>
        database.orm.em.fork().transactional(async (tx) => {
          await tx.execute(`DO $$ BEGIN RAISE EXCEPTION 'lost a race' USING ERRCODE = '${sqlstate}'; END $$`);
          throw new Error('unreachable');
        }),
      );
      expect(error.code).to.equal(grpc.status.ABORTED);
      expect(error.details).to.equal('the change collided with a concurrent one and was not made; retry');
      expect(errorReasonFrom(error.metadata)).to.deep.equal({ reason: 'CONCURRENT_UPDATE' });
    });
  }

  it('answers an optimistic-lock conflict as ABORTED', () => {
    expect(mapError(OptimisticLockError.lockFailed('Widget')).code).to.equal(grpc.status.ABORTED);
  });

  it('still answers any other database error as INTERNAL with a generic message', async () => {
    const error = await failureOver(() =>
      database.orm.em.fork().transactional(async (tx) => {
        await tx.execute(`SELECT * FROM no_such_table`);
        throw new Error('unreachable');
      }),
    );
    expect(error.code).to.equal(grpc.status.INTERNAL);
    expect(error.details).to.equal('internal error');
  });
});
