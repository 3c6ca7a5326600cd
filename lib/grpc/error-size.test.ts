import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { allow } from '../auth/access-rule.js';
import { testKey } from '../auth/test/keys.js';
import { invalidArgument, notFound } from '../errors.js';
import { EchoServiceClient, EchoServiceService, type EchoResponse } from './test/echo-service.js';
import { startEchoServer, type EchoServer } from './test/harness.js';

/**
 * An error that quoted a caller's megabyte made a trailer larger than HTTP/2 delivers: the call
 * never answered, and neither did the calls after it on the same connection.
 */
describe('errors quoting huge input (the trailers stay deliverable)', function () {
  this.timeout(20_000);
  let running: EchoServer;
  let client: InstanceType<typeof EchoServiceClient>;

  before(async () => {
    running = await startEchoServer(
      {
        echo: { access: allow.public(), handle: async (r) => r },
        // Both quote what they got: NOT_FOUND with the id, INVALID_ARGUMENT with it as a field.
        lookup: {
          access: allow.public(),
          handle: async (r) => {
            throw notFound('product', r.text);
          },
        },
        write: {
          access: allow.public(),
          handle: async (r) => {
            throw invalidArgument(r.text, r.text);
          },
        },
      },
      await testKey('k'),
    );
    client = new EchoServiceClient(running.address, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    await running?.server.shutdown(100);
  });

  function call(
    method: 'echo' | 'lookup' | 'write',
    text: string,
  ): Promise<grpc.ServiceError | EchoResponse> {
    const definition = EchoServiceService[method];
    return new Promise((resolve) => {
      client.makeUnaryRequest(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        { text },
        new grpc.Metadata(),
        { deadline: Date.now() + 3000 },
        (error, response) => resolve(error ?? response!),
      );
    });
  }

  for (const size of [100_000, 1 << 20]) {
    it(`answers an error quoting ${size} characters at once, clipped, and the connection keeps serving`, async () => {
      const huge = 'x'.repeat(size);
      const [lookup, write, echo] = await Promise.all([
        call('lookup', huge),
        call('write', huge),
        call('echo', 'still there'),
      ]);
      expect((lookup as grpc.ServiceError).code).to.equal(grpc.status.NOT_FOUND);
      expect((lookup as grpc.ServiceError).details).to.equal(`product ${'x'.repeat(99)}… not found`);
      expect((write as grpc.ServiceError).code).to.equal(grpc.status.INVALID_ARGUMENT);
      expect((write as grpc.ServiceError).details).to.have.length(1000);
      expect(echo).to.deep.equal({ text: 'still there' });
    });
  }
});
