import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  Product,
  ProductServiceService,
  ProductStatus,
  type ProductServiceServer,
} from '../../../gen/ecommerce/product/v1/product.js';
import { newId } from '../../../lib/ids.js';
import { resetBreakers } from '../../../lib/grpc/index.js';
import { productServiceCatalog } from '../src/clients/product-catalog.js';

/** A product service that answers after `delayMs`, counting calls and the tokens they carried. */
function fakeProductService(delayMs: number) {
  const seen = { getProduct: 0, batchSizes: [] as number[], authorizations: [] as string[] };
  const product = (id: string) => Product.fromPartial({ id, status: ProductStatus.PRODUCT_STATUS_ACTIVE });
  const implementation: Pick<ProductServiceServer, 'getProduct' | 'batchGetProducts'> = {
    getProduct: (call, callback) => {
      seen.getProduct++;
      seen.authorizations.push(...call.metadata.get('authorization').map(String));
      const id = call.request.lookup?.value ?? '';
      setTimeout(() => callback(null, { product: product(id) }), delayMs);
    },
    batchGetProducts: (call, callback) => {
      seen.batchSizes.push(call.request.ids.length);
      const known = call.request.ids.filter((_, k) => k % 2 === 0);
      callback(null, {
        products: known.map(product),
        missingIds: call.request.ids.filter((id) => !known.includes(id)),
      });
    },
  };
  return { seen, implementation };
}

describe('cart service: the product client', function () {
  this.timeout(30_000);
  let server: grpc.Server;
  let fake: ReturnType<typeof fakeProductService>;
  let catalog: ReturnType<typeof productServiceCatalog>;

  beforeEach(async () => {
    resetBreakers();
    fake = fakeProductService(50);
    server = new grpc.Server();
    server.addService(ProductServiceService, fake.implementation as ProductServiceServer);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    catalog = productServiceCatalog({ PRODUCT_GRPC_ADDR: `127.0.0.1:${port}` });
  });
  afterEach(() => {
    catalog.close();
    server.forceShutdown();
    resetBreakers();
  });

  it('lets overlapping lookups of one product share one call, asked as a shopper (no token)', async () => {
    const id = newId();
    const answers = await Promise.all(Array.from({ length: 20 }, () => catalog.getProduct(id)));
    expect(answers.every((product) => product.id === id)).to.equal(true);
    expect(fake.seen.getProduct).to.equal(1);
    expect(fake.seen.authorizations).to.deep.equal([]);
    // Nothing is kept once the answer arrived: the next lookup asks again.
    await catalog.getProduct(id);
    expect(fake.seen.getProduct).to.equal(2);
  });

  it('asks for many products in batches of at most 100, leaving out the missing ones', async () => {
    const ids = Array.from({ length: 150 }, () => newId());
    const found = await catalog.getProducts(ids);
    expect(fake.seen.batchSizes).to.deep.equal([100, 50]);
    expect([...found.keys()]).to.deep.equal(ids.filter((_, k) => k % 2 === 0));
  });
});
