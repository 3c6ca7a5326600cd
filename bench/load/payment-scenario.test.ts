import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { PaymentStatus } from '../../gen/ecommerce/payment/v1/payment.js';
import { startTestMesh, type TestMesh } from '../../test/support/mesh.js';
import { internalToken } from '../../test/support/tokens.js';
import { paymentClient } from '../../services/payment/test/payment-support.js';
import { scenarioNamed } from './scenarios.js';

/** The authorize-capture scenario against a real auth + payment mesh: prepare, then calls that pay. */
describe('bench scenario authorize-capture', function () {
  this.timeout(120_000);
  let mesh: TestMesh;

  before(async () => {
    mesh = await startTestMesh(['auth', 'payment'], { inProcess: true });
  });
  after(async () => {
    await mesh?.stop();
  });

  it('gets a service token in prepare and captures one payment per call', async () => {
    const scenario = scenarioNamed('authorize-capture');
    const env = {
      AUTH_GRPC_ADDR: mesh.address('auth'),
      PAYMENT_GRPC_ADDR: mesh.address('payment'),
      DATA_DIR: mesh.dataDir,
    };
    const ctx = await scenario.prepare(mesh.address('payment'), env);
    const client = scenario.connect(mesh.address('payment'), {});
    try {
      for (let i = 0; i < 3; i++) await scenario.call(client, ctx, i, new Date(Date.now() + 10_000));
    } finally {
      (client as grpc.Client).close();
    }
    const payments = paymentClient(mesh);
    try {
      const listed = await payments.listPayments(
        { orderId: '', status: PaymentStatus.PAYMENT_STATUS_CAPTURED, userId: '', page: undefined },
        { token: await internalToken(mesh) },
      );
      // The probe of prepare and the three calls.
      expect(listed.payments).to.have.length(4);
    } finally {
      payments.close();
    }
  });
});
