import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { AuthServiceClient } from '../../gen/ecommerce/auth/v1/auth.js';
import { ListOrdersRequest, OrderServiceClient, OrderStatus } from '../../gen/ecommerce/order/v1/order.js';
import { CHECKOUT_SERVICES } from '../../test/support/checkout-world.js';
import { plainClient } from '../../test/support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from '../../test/support/mesh.js';
import { scenarioNamed } from './scenarios.js';

/** The checkout scenario against the real services a checkout crosses: prepare, then calls that order. */
describe('bench scenario checkout', function () {
  this.timeout(180_000);
  let mesh: TestMesh;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    mesh = await startTestMesh([...CHECKOUT_SERVICES]);
    env = {
      ...Object.fromEntries(
        CHECKOUT_SERVICES.map((name) => [`${name.toUpperCase()}_GRPC_ADDR`, mesh.address(name)]),
      ),
      BENCH_ADMIN_EMAIL: ADMIN_EMAIL,
      BENCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
    };
  });
  after(async () => {
    await mesh?.stop();
  });

  it('prepares a product, a DE zone and a method, and places one confirmed guest order per call', async () => {
    const scenario = scenarioNamed('checkout');
    const ctx = await scenario.prepare(mesh.address('order'), env);
    // Two runs on one prepared context (as `--repeat` makes), each with clients of its own: the
    // second run's calls are new shoppers with new orders, not replays of the first run's.
    for (let run = 0; run < 2; run++) {
      const client = scenario.connect(mesh.address('order'), {});
      try {
        for (let i = 0; i < 3; i++) await scenario.call(client, ctx, i, new Date(Date.now() + 30_000));
      } finally {
        (client as grpc.Client).close();
      }
    }

    const auth = plainClient(AuthServiceClient, mesh.address('auth'));
    const orders = plainClient(OrderServiceClient, mesh.address('order'));
    try {
      const { accessToken } = await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      const listed = await orders.listOrders(ListOrdersRequest.fromPartial({}), { token: accessToken });
      // The probe of prepare and the 2 × 3 calls, each a guest's order of one unit, paid and confirmed.
      expect(listed.orders).to.have.length(7);
      expect(listed.orders.map((order) => order.status)).to.deep.equal(
        Array(7).fill(OrderStatus.ORDER_STATUS_CONFIRMED),
      );
      expect(new Set(listed.orders.map((order) => order.guestEmail)).size).to.equal(7);
      for (const order of listed.orders) {
        expect(order.lines.map((line) => line.quantity)).to.deep.equal([1]);
        expect(order.shippingAddress?.country).to.equal('DE');
      }
    } finally {
      auth.close();
      orders.close();
    }
  });

  it('refuses to prepare without the admin who creates the product, naming the settings', async () => {
    const { BENCH_ADMIN_EMAIL: _email, BENCH_ADMIN_PASSWORD: _password, ...withoutAdmin } = env;
    const error = await scenarioNamed('checkout')
      .prepare(mesh.address('order'), withoutAdmin)
      .then(
        () => undefined,
        (failure: unknown) => failure as Error,
      );
    expect(error?.message).to.match(/BENCH_ADMIN_EMAIL and BENCH_ADMIN_PASSWORD/);
  });
});
