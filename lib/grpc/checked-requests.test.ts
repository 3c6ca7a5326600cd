import * as grpc from '@grpc/grpc-js';
import { create, createFileRegistry, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { expect } from 'chai';
import { ProductServiceService } from '../../gen/ecommerce/product/v1/product.js';
import { allow } from '../auth/access-rule.js';
import { customer, signToken, testKey, type TestKey } from '../auth/test/keys.js';
import { JwksTokenVerifier } from '../auth/token-verifier.js';
import { loadDescriptorSet } from './descriptor-set.js';
import { implementService, type MethodHandler, type ServiceHandlers } from './implement-service.js';
import { startGrpcServer, type RunningGrpcServer } from './server.js';
import { violationsFrom } from './status-details.js';
import { bearer, quiet } from './test/harness.js';

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, loadDescriptorSet()!));
const CREATE_PRODUCT = ProductServiceService.createProduct.path;

/** CreateProduct's bytes as any protobuf client may send them (int64 beyond what ts-proto can). */
function createProductBytes(init: object): Buffer {
  const schema = registry.getMessage('ecommerce.product.v1.CreateProductRequest')!;
  return Buffer.from(toBinary(schema, create(schema, init as never)));
}

/** One call with the request's bytes as they are. */
function rawCall(
  address: string,
  path: string,
  bytes: Buffer,
  metadata = new grpc.Metadata(),
): Promise<{ error: grpc.ServiceError | null }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      metadata,
      { deadline: Date.now() + 5000 },
      (error) => {
        client.close();
        resolve({ error });
      },
    );
  });
}

describe('the request edge of a server (every request checked against its contract)', () => {
  let key: TestKey;
  let server: RunningGrpcServer;
  let address: string;
  const handled: unknown[] = [];

  before(async () => {
    key = await testKey('k');
    // Every ProductService RPC answers what it got, for authenticated callers.
    const handler: MethodHandler<unknown, unknown> = {
      access: allow.authenticated(),
      handle: async (request) => {
        handled.push(request);
        return {};
      },
    };
    const handlers = Object.fromEntries(
      Object.keys(ProductServiceService).map((name) => [name, handler]),
    ) as unknown as ServiceHandlers<typeof ProductServiceService>;
    const verifier = new JwksTokenVerifier(async () => [key.publicJwk], { logger: quiet });
    const implementation = implementService(ProductServiceService, handlers, { verifier, logger: quiet });
    server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      services: [
        { name: 'ecommerce.product.v1.ProductService', definition: ProductServiceService, implementation },
      ],
      logger: quiet,
    });
    address = `127.0.0.1:${server.port}`;
  });

  after(async () => {
    await server?.shutdown(100);
  });

  beforeEach(() => {
    handled.length = 0;
  });

  it('answers an int64 beyond 2^53 with INVALID_ARGUMENT naming the field, not INTERNAL, before the handler', async () => {
    const bytes = createProductBytes({
      sku: 'S',
      price: { currencyCode: 'EUR', amountMinor: 2n ** 63n - 1n },
    });
    const { error } = await rawCall(address, CREATE_PRODUCT, bytes, bearer(await signToken(key, customer)));
    expect(error?.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).to.equal(
      'price.amount_minor: must be between -9007199254740991 and 9007199254740991',
    );
    expect(violationsFrom(error?.metadata)).to.deep.equal([
      { field: 'price.amount_minor', description: 'must be between -9007199254740991 and 9007199254740991' },
    ]);
    expect(handled).to.deep.equal([]);
  });

  it('answers bytes that do not parse with INVALID_ARGUMENT', async () => {
    const bytes = createProductBytes({ sku: 'SKU-1', name: 'Plain tee' }).subarray(0, 4);
    const { error } = await rawCall(address, CREATE_PRODUCT, bytes, bearer(await signToken(key, customer)));
    expect(error?.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).to.match(
      /the request is not a well-formed ecommerce\.product\.v1\.CreateProductRequest/,
    );
    expect(handled).to.deep.equal([]);
  });

  it('authenticates first: a bad body without a valid token is UNAUTHENTICATED', async () => {
    const bytes = createProductBytes({ sku: 'S\u0000' });
    expect((await rawCall(address, CREATE_PRODUCT, bytes)).error?.code).to.equal(grpc.status.UNAUTHENTICATED);
    const forged = bearer('not-a-token');
    expect((await rawCall(address, CREATE_PRODUCT, bytes, forged)).error?.code).to.equal(
      grpc.status.UNAUTHENTICATED,
    );
  });

  it('hands a request that keeps the rules to the handler, decoded', async () => {
    const bytes = createProductBytes({ sku: 'SKU-1', price: { currencyCode: 'EUR', amountMinor: 1999n } });
    const { error } = await rawCall(address, CREATE_PRODUCT, bytes, bearer(await signToken(key, customer)));
    expect(error).to.equal(null);
    expect(handled).to.have.length(1);
    expect(handled[0]).to.deep.include({ sku: 'SKU-1', price: { currencyCode: 'EUR', amountMinor: 1999 } });
  });
});
