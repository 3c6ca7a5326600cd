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
        variants: [
          { sku: `TEE-${slug}-M`, name: 'Medium', initialStock: 10, attributes: { gift_wrap: 'yes' } },
        ],
      },
      { authorization: `Bearer ${token}` },
    );
    const id = (created.response.product as { id: string }).id;

    const { response } = await product.call('ecommerce.product.v1.ProductService/GetProduct', { slug });
    const read = response.product as {
      id: string;
      name: string;
      price: { currencyCode: string; amountMinor: string };
      variants: { sku: string; availableQuantity: number; attributes: Record<string, string> }[];
      createdAt: string;
    };
    expect(read.id).to.equal(id);
    expect(read.name).to.equal('Plain tee');
    expect(read.price).to.deep.equal({ currencyCode: 'EUR', amountMinor: '1999' });
    expect(read.variants.map((v) => [v.sku, v.availableQuantity])).to.deep.equal([[`TEE-${slug}-M`, 10]]);
    // The proto3 JSON mapping: a map is an object (its keys as given), a Timestamp an RFC 3339 string.
    expect(read.variants[0]!.attributes).to.deep.equal({ gift_wrap: 'yes' });
    expect(read.createdAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Math.abs(Date.parse(read.createdAt) - Date.now())).to.be.below(60_000);
  });

  it('serves the descriptor files as buf wrote them (names, qualified types, maps), as strict clients need', async () => {
    const files = await product.descriptorsOf('ecommerce.product.v1.ProductService');
    const file = files.find((f) => f.name === 'ecommerce/product/v1/product.proto');
    expect(file?.package).to.equal('ecommerce.product.v1');
    expect(file!.dependency).to.include('google/protobuf/timestamp.proto');
    expect(files.map((f) => f.name)).to.include('google/protobuf/timestamp.proto');
    const variant = file!.messageType!.find((m) => m.name === 'ProductVariant')!;
    expect(variant.options?.mapEntry ?? false).to.equal(false);
    expect(variant.nestedType!.map((m) => [m.name, m.options?.mapEntry])).to.deep.equal([
      ['AttributesEntry', true],
    ]);
    const response = file!.messageType!.find((m) => m.name === 'GetProductResponse')!;
    expect(response.field![0]!.typeName).to.equal('.ecommerce.product.v1.Product');
  });

  it('calls the standard health service through reflection like any other (grpc.health.v1.Health/Check)', async () => {
    const overall = await product.call('grpc.health.v1.Health/Check', {});
    expect(overall.response).to.deep.equal({ status: 'SERVING' });
    const one = await product.call('grpc.health.v1.Health/Check', {
      service: 'ecommerce.product.v1.ProductService',
    });
    expect(one.response).to.deep.equal({ status: 'SERVING' });
    const listed = await product.call('grpc.health.v1.Health/List', {});
    expect(listed.response).to.deep.equal({
      statuses: {
        '': { status: 'SERVING' },
        'ecommerce.product.v1.ProductService': { status: 'SERVING' },
      },
    });
  });

  it('refuses a request field the message does not have, naming it, before calling', async () => {
    const failure = await product
      .call('ecommerce.product.v1.ProductService/GetProduct', { sluggish: 'x' })
      .then(
        () => undefined,
        (error: Error) => error,
      );
    expect(failure?.message).to.match(/ecommerce\.product\.v1\.GetProductRequest.*"sluggish" is unknown/);
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

    const health = await run(process.execPath, [...script, 'grpc.health.v1.Health/Check', '{}']);
    expect(JSON.parse(health.stdout)).to.deep.equal({ status: 'SERVING' });
  });
});
