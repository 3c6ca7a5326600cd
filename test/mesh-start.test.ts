import { createServer } from 'node:net';
import { expect } from 'chai';
import { SERVICE_NAMES } from '../lib/config/index.js';
import { checkHealth } from '../lib/runtime/health-probe.js';
import { startTestMesh, type TestMesh } from './support/mesh.js';
import { freePort } from '../lib/testing/free-port.js';

const PROTO_SERVICE: Record<string, string> = {
  auth: 'ecommerce.auth.v1.AuthService',
  user: 'ecommerce.user.v1.UserService',
  product: 'ecommerce.product.v1.ProductService',
  order: 'ecommerce.order.v1.OrderService',
  payment: 'ecommerce.payment.v1.PaymentService',
  notification: 'ecommerce.notification.v1.NotificationService',
  cart: 'ecommerce.cart.v1.CartService',
  discount: 'ecommerce.discount.v1.DiscountService',
  shipping: 'ecommerce.shipping.v1.ShippingService',
  return: 'ecommerce.return.v1.ReturnService',
};

describe('the whole mesh', function () {
  this.timeout(180_000);
  let mesh: TestMesh;

  before(async () => {
    mesh = await startTestMesh(SERVICE_NAMES);
  });
  after(async () => {
    await mesh?.stop();
  });

  it('starts all ten services, each SERVING under its own name on its own port', async () => {
    for (const name of SERVICE_NAMES) {
      expect(await checkHealth(mesh.address(name)), `${name} overall`).to.equal('SERVING');
      expect(await checkHealth(mesh.address(name), PROTO_SERVICE[name]), name).to.equal('SERVING');
    }
  });

  it('stops one service without disturbing the others, and starts it again', async () => {
    await mesh.stopService('order');
    expect(await checkHealth(mesh.address('order'))).to.match(/^error (UNAVAILABLE|DEADLINE_EXCEEDED)/);
    expect(await checkHealth(mesh.address('payment'))).to.equal('SERVING');
    await mesh.startService('order');
    expect(await checkHealth(mesh.address('order'))).to.equal('SERVING');
  });

  it('runs beside another mesh (as a second test run on the machine would), on ports of its own', async () => {
    const beside = await startTestMesh(['product']);
    try {
      expect(beside.address('product')).not.to.equal(mesh.address('product'));
      expect(await checkHealth(beside.address('product'))).to.equal('SERVING');
      expect(await checkHealth(mesh.address('product'))).to.equal('SERVING');
    } finally {
      await beside.stop();
    }
  });
});

describe('a service whose port is taken', function () {
  this.timeout(60_000);

  it('fails to start with an error naming the address, and stops what it had started', async () => {
    const port = await freePort();
    // It only holds the port: a connection to it (the process mesh's health probe) is dropped at
    // once, so none outlives the test and keeps the run alive.
    const squatter = createServer((connection) => connection.destroy());
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const error = await startTestMesh(['product'], { ports: { product: port } }).then(
        () => undefined,
        (caught: Error) => caught,
      );
      expect(error?.message).to.contain(`127.0.0.1:${port}`);
    } finally {
      squatter.close();
    }
    // Nothing of the failed start is left holding the database or the port.
    const mesh = await startTestMesh(['product'], { ports: { product: port } });
    expect(await checkHealth(mesh.address('product'))).to.equal('SERVING');
    await mesh.stop();
  });
});
