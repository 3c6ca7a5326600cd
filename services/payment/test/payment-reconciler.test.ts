import { expect } from 'chai';
import { PaymentStatus } from '../../../gen/ecommerce/payment/v1/payment.js';
import { eventually } from '../../../lib/testing/eventually.js';
import { failureOf } from '../../../test/support/clients.js';
import { startTestMesh, type TestMesh } from '../../../test/support/mesh.js';
import { internalToken } from '../../../test/support/tokens.js';
import {
  authorizeRequest,
  newKey,
  paymentClient,
  publishOrderConfirmed,
  type PaymentClient,
} from './payment-support.js';

/**
 * The reconciler of a payment service started with a short grace period and interval: payments
 * whose order the order service confirmed (order.order.confirmed on the event bus) stay; others
 * are voided or refunded; a lost answer is found out by asking the gateway.
 */
describe('payment reconciler over gRPC: orphaned payments and lost answers', function () {
  this.timeout(180_000);
  let mesh: TestMesh;
  let payment: PaymentClient;
  let service: string;
  const settings = { PAYMENT_ORPHAN_GRACE_SECONDS: '3', PAYMENT_RECONCILE_INTERVAL_SECONDS: '1' };
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    for (const [name, value] of Object.entries(settings)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    mesh = await startTestMesh(['auth', 'payment']);
    payment = paymentClient(mesh);
    service = await internalToken(mesh, 'order');
  });
  after(async () => {
    payment?.close();
    await mesh?.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const statusOf = async (paymentId: string) =>
    (await payment.getPayment({ paymentId }, { token: service })).payment!;

  it('voids or refunds what no confirmed order took, leaves what one did, and records a lost capture once', async () => {
    const authorize = (paymentToken = 'pm_card_visa') =>
      payment
        .authorizePayment(authorizeRequest({ paymentToken }), { token: service })
        .then((r) => r.payment!);
    const capture = (id: string, amountMinor: number, idempotencyKey = newKey()) =>
      payment.capturePayment(
        { paymentId: id, amount: { currencyCode: 'EUR', amountMinor }, idempotencyKey },
        { token: service },
      );

    const abandoned = await authorize();
    const charged = await authorize();
    await capture(charged.id, 6_000);
    const ordered = await authorize();
    await capture(ordered.id, 10_000);
    await publishOrderConfirmed(mesh, ordered.orderId, ordered.id);
    const lost = await authorize('pm_card_captureAnswerLost');
    await publishOrderConfirmed(mesh, lost.orderId, lost.id);
    const lostKey = newKey();
    await failureOf(capture(lost.id, 10_000, lostKey));

    await eventually(
      async () =>
        (await statusOf(abandoned.id)).status === PaymentStatus.PAYMENT_STATUS_VOIDED ? true : undefined,
      { timeoutMs: 30_000, what: 'the unconfirmed hold voided' },
    );
    await eventually(
      async () =>
        (await statusOf(charged.id)).status === PaymentStatus.PAYMENT_STATUS_REFUNDED ? true : undefined,
      { timeoutMs: 30_000, what: 'the unconfirmed capture refunded' },
    );
    await eventually(
      async () =>
        (await statusOf(lost.id)).status === PaymentStatus.PAYMENT_STATUS_CAPTURED ? true : undefined,
      { timeoutMs: 30_000, what: 'the lost capture found out' },
    );
    expect((await statusOf(charged.id)).amountRefunded!.amountMinor).to.equal(6_000);
    expect((await statusOf(ordered.id)).status).to.equal(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    const { transactions } = await payment.getPayment({ paymentId: lost.id }, { token: service });
    expect(transactions.filter((t) => t.amount!.amountMinor === 10_000)).to.have.length(2);
    // The caller's retry gets the capture the reconciler recorded.
    expect((await capture(lost.id, 10_000, lostKey)).payment!.status).to.equal(
      PaymentStatus.PAYMENT_STATUS_CAPTURED,
    );
  });
});
