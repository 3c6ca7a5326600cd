import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { GrpcReflectionCaller } from '../scripts/grpc-call/reflection-client.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';

const run = promisify(execFile);

/** The README's first steps, made with nothing but what server reflection tells a client. */
describe('calling the services through reflection alone (the README example, as grpcurl would)', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let auth: GrpcReflectionCaller;
  let product: GrpcReflectionCaller;
  const slug = `plain-tee-${Date.now().toString(36)}`;

  before(async () => {
    mesh = await startTestMesh(['auth', 'product']);
    auth = new GrpcReflectionCaller(mesh.address('auth'));
    product = new GrpcReflectionCaller(mesh.address('product'));
  });

  after(async () => {
    auth?.close();
    product?.close();
    await mesh?.stop();
  });

  it('lists the service and health on a port', async () => {
    expect(await product.listServices()).to.deep.equal([
      'ecommerce.product.v1.ProductService',
      'grpc.health.v1.Health',
    ]);
  });

  it('logs in, creates a product and reads it back with JSON requests', async () => {
    const login = await auth.call('ecommerce.auth.v1.AuthService/Login', {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    const token = login.response.accessToken as string;
    expect(token).to.match(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);

    const created = await product.call(
      'ecommerce.product.v1.ProductService/CreateProduct',
      {
        sku: `TEE-${slug}`,
        name: 'Plain tee',
        slug,
        price: { currencyCode: 'EUR', amountMinor: '1999' },
        variants: [{ sku: `TEE-${slug}-M`, name: 'Medium', initialStock: 10 }],
      },
      { authorization: `Bearer ${token}` },
    );
    const id = (created.response.product as { id: string }).id;

    const { response } = await product.call('ecommerce.product.v1.ProductService/GetProduct', { slug });
    const read = response.product as {
      id: string;
      name: string;
      price: { currencyCode: string; amountMinor: string };
      variants: { sku: string; availableQuantity: number }[];
    };
    expect(read.id).to.equal(id);
    expect(read.name).to.equal('Plain tee');
    expect(read.price).to.deep.equal({ currencyCode: 'EUR', amountMinor: '1999' });
    expect(read.variants.map((v) => [v.sku, v.availableQuantity])).to.deep.equal([[`TEE-${slug}-M`, 10]]);
  });

  it('answers the status the server gave: a customer-less CreateProduct is UNAUTHENTICATED', async () => {
    const failure = await product
      .call('ecommerce.product.v1.ProductService/CreateProduct', { sku: 'X', name: 'X', slug: 'x' })
      .then(
        () => undefined,
        (error: { code: number }) => error,
      );
    expect(failure?.code).to.equal(status.UNAUTHENTICATED);
  });

  it('scripts/grpc-call.ts prints the response, or the status and exits 1', async () => {
    const script = ['--import', 'tsx', 'scripts/grpc-call.ts', mesh.address('product')];
    const found = await run(process.execPath, [
      ...script,
      'ecommerce.product.v1.ProductService/GetProduct',
      JSON.stringify({ slug }),
    ]);
    expect(JSON.parse(found.stdout).product.slug).to.equal(slug);

    const missing = await run(process.execPath, [
      ...script,
      'ecommerce.product.v1.ProductService/GetProduct',
      '{"slug":"no-such-product"}',
    ]).then(
      () => expect.fail('a NOT_FOUND call must exit non-zero'),
      (error: { code: number; stderr: string }) => error,
    );
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^ERROR: NOT_FOUND: /);
  });
});
