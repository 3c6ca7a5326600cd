import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { OrderConfirmed } from '../../../gen/ecommerce/order/v1/events.js';
import { PaymentStatus } from '../../../gen/ecommerce/payment/v1/payment.js';
import { PaymentReason } from '../../../lib/error-reasons.js';
import { PaymentCapturedEvent, PaymentVoidedEvent } from '../../../lib/events/catalog.js';
import { newId } from '../../../lib/ids.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import { quietLogger } from '../../../lib/testing/quiet-logger.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { authorizePayment } from '../src/domain/authorize-payment.js';
import { capturePayment } from '../src/domain/capture-payment.js';
import { confirmOrderPayment, confirmOrderPaymentAtOnce } from '../src/domain/confirm-order.js';
import { getPayment } from '../src/domain/get-payment.js';
import { receiveGatewayWebhook } from '../src/domain/receive-webhook.js';
import { resolveUnknownOutcomes, returnOrphanedPayments } from '../src/domain/reconcile-payments.js';
import { refundPayment } from '../src/domain/refund-payment.js';
import { signedTestWebhook } from '../src/providers/test-gateway-webhooks.js';
import {
  authorization,
  newKey,
  openPaymentDatabase,
  outboxEvents,
  paymentDeps,
  transactionRows,
} from './support.js';

describe('payment: gateway webhooks and the reconciler', function () {
  this.timeout(120_000);
  let db: ScratchDatabase;
  const deps = paymentDeps();
  const gateway = deps.provider;
  const em = () => db.orm.em.fork();
  const any = { kind: 'any' } as const;

  before(async () => {
    db = await openPaymentDatabase('payment_webhooks');
  });
  after(async () => {
    await db?.drop();
  });

  const authorized = async (paymentToken = 'pm_card_visa', amountMinor = 5_000) =>
    (
      await authorizePayment(
        em(),
        deps,
        authorization({ paymentToken, amount: { currencyCode: 'EUR', amountMinor } }),
      )
    ).payment;
  const capture = (paymentId: string, amountMinor: number, idempotencyKey = newKey()) =>
    capturePayment(em(), gateway, {
      paymentId,
      amount: { currencyCode: 'EUR', amountMinor },
      idempotencyKey,
    });
  const deliver = (webhook: { rawBody: Buffer; signatureHeader: string }) =>
    receiveGatewayWebhook(em(), gateway, webhook);
  const storedWebhooks = async () =>
    Number(
      (await em().execute<{ count: string }[]>('SELECT count(*)::text AS count FROM payment_webhooks'))[0]!
        .count,
    );
  const statusOf = async (paymentId: string) => (await getPayment(em(), any, paymentId)).payment!.status;

  it('refuses a webhook whose signature does not verify (UNAUTHENTICATED) and stores nothing', async () => {
    const payment = await authorized();
    const [genuine] = gateway.webhooksFor(payment.id);
    const before = await storedWebhooks();
    const forged = signedTestWebhook(
      'whsec_not_the_gateway_secret_00',
      JSON.parse(genuine!.rawBody.toString()),
    );
    const tampered = {
      ...genuine!,
      rawBody: Buffer.from(genuine!.rawBody.toString().replace('authorized', 'captured')),
    };
    for (const webhook of [forged, tampered, { ...genuine!, signatureHeader: 't=1,v1=00' }]) {
      const failure = await failureOf(deliver(webhook));
      expect(failure).to.include({
        code: status.UNAUTHENTICATED,
        reason: PaymentReason.WEBHOOK_SIGNATURE_INVALID,
      });
    }
    expect(await storedWebhooks()).to.equal(before);
    // The genuine event was not taken for a duplicate of anything stored.
    expect(await deliver(genuine!)).to.include({ duplicate: false });
  });

  it('applies a lost capture’s webhook once when delivered 5 times at once, and the retry then answers it', async () => {
    const payment = await authorized('pm_card_captureAnswerLost', 7_000);
    const key = newKey();
    expect(await failureOf(capture(payment.id, 7_000, key))).to.include({ code: status.UNAVAILABLE });
    const captured = gateway
      .webhooksFor(payment.id)
      .find((w) => w.rawBody.toString().includes('payment.captured'))!;
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(captured)));
    expect(answers.filter((a) => a.applied)).to.have.length(1);
    expect(answers.filter((a) => a.duplicate)).to.have.length(4);
    expect(await statusOf(payment.id)).to.equal(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    expect(await transactionRows(em(), payment.id)).to.deep.equal([
      { type: 'authorize', status: 'succeeded', amount: '70.00' },
      { type: 'capture', status: 'succeeded', amount: '70.00' },
    ]);
    expect(await outboxEvents(em(), PaymentCapturedEvent, payment.id)).to.have.length(1);
    expect((await capture(payment.id, 7_000, key)).payment.amountCaptured!.amountMinor).to.equal(7_000);
  });

  it('leaves the right final state whatever order the events come in: never back', async () => {
    const payment = await authorized('pm_card_visa', 2_000);
    await capture(payment.id, 2_000);
    await refundPayment(em(), gateway, {
      paymentId: payment.id,
      amount: { currencyCode: 'EUR', amountMinor: 2_000 },
      reason: 'returned',
      returnId: null,
      idempotencyKey: newKey(),
    });
    const before = await getPayment(em(), any, payment.id);
    // refund.succeeded, payment.captured, payment.authorized: newest first.
    const webhooks = gateway.webhooksFor(payment.id).reverse();
    expect(webhooks).to.have.length(3);
    for (const webhook of webhooks)
      expect(await deliver(webhook)).to.include({ duplicate: false, applied: false });
    const after = await getPayment(em(), any, payment.id);
    expect(after.payment!.status).to.equal(PaymentStatus.PAYMENT_STATUS_REFUNDED);
    expect(after).to.deep.equal(before);

    // A lost capture: "captured" arrives before "authorized"; the payment ends captured.
    const lost = await authorized('pm_card_captureAnswerLost', 900);
    await failureOf(capture(lost.id, 900));
    const [authorizedEvent, capturedEvent] = gateway.webhooksFor(lost.id);
    expect(await deliver(capturedEvent!)).to.include({ applied: true });
    expect(await deliver(authorizedEvent!)).to.include({ applied: false });
    expect(await statusOf(lost.id)).to.equal(PaymentStatus.PAYMENT_STATUS_CAPTURED);
  });

  it('records a void the gateway made on its own (an expired hold) from its webhook', async () => {
    const payment = await authorized('pm_card_visa', 1_500);
    const [authorizedEvent] = gateway.webhooksFor(payment.id);
    const body = JSON.parse(authorizedEvent!.rawBody.toString());
    const expired = signedTestWebhook('whsec_payment_domain_tests_0123', {
      ...body,
      id: `evt_${newId()}`,
      type: 'payment.voided',
      data: { ...body.data, object: { ...body.data.object, status: 'voided' } },
    });
    expect(await deliver(expired)).to.include({ applied: true });
    expect(await statusOf(payment.id)).to.equal(PaymentStatus.PAYMENT_STATUS_VOIDED);
    expect(await outboxEvents(em(), PaymentVoidedEvent, payment.id)).to.have.length(1);
  });

  it('resolves a lost answer by asking the gateway, once, whichever of several runs gets there', async () => {
    const payment = await authorized('pm_card_captureAnswerLost', 3_300);
    await failureOf(capture(payment.id, 3_300));
    const runs = await Promise.all([1, 2, 3].map(() => resolveUnknownOutcomes(em(), gateway, 100)));
    const mine = runs.flat().filter((r) => r.paymentId === payment.id);
    expect(mine.map((r) => r.action)).to.include('outcome_resolved');
    expect(await statusOf(payment.id)).to.equal(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    expect(await outboxEvents(em(), PaymentCapturedEvent, payment.id)).to.have.length(1);
    expect(await transactionRows(em(), payment.id)).to.deep.equal([
      { type: 'authorize', status: 'succeeded', amount: '33.00' },
      { type: 'capture', status: 'succeeded', amount: '33.00' },
    ]);
  });

  it('gives back the money of payments without a confirmed order past the grace period, and only theirs', async () => {
    const held = await authorized('pm_card_visa', 1_000);
    const taken = await authorized('pm_card_visa', 2_000);
    await capture(taken.id, 1_500);
    const confirmed = await authorized('pm_card_visa', 3_000);
    await em().transactional((tx) =>
      confirmOrderPayment(
        tx,
        OrderConfirmed.fromPartial({
          orderId: confirmed.orderId,
          paymentId: confirmed.id,
          confirmedAt: new Date(),
        }),
        quietLogger(),
      ),
    );
    const runs = await Promise.all([1, 2].map(() => returnOrphanedPayments(em(), gateway, 0, 1000)));
    const actions = runs.flat().filter((r) => [held.id, taken.id].includes(r.paymentId));
    expect(actions.map((r) => r.action)).to.include.members(['orphan_voided', 'orphan_refunded']);
    expect(await statusOf(held.id)).to.equal(PaymentStatus.PAYMENT_STATUS_VOIDED);
    const refunded = await getPayment(em(), any, taken.id);
    expect(refunded.payment).to.deep.include({
      status: PaymentStatus.PAYMENT_STATUS_REFUNDED,
      amountRefunded: { currencyCode: 'EUR', amountMinor: 1_500 },
    });
    expect(refunded.refunds).to.have.length(1);
    expect(await statusOf(confirmed.id)).to.equal(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    expect((await gateway.lookup({ reference: taken.id }))!.refundedMinor).to.equal(1_500);
  });

  it('marks a confirmed order’s payment with the event’s inbox claim in one statement, once', async () => {
    const payment = await authorized('pm_card_visa', 1_200);
    const confirmedAt = new Date('2026-12-01T10:00:00Z');
    const event = (at: Date) =>
      OrderConfirmed.fromPartial({ orderId: payment.orderId, paymentId: payment.id, confirmedAt: at });
    const claim = { consumer: 'payment-orders', eventId: newId(), subject: 'order.order.confirmed' };
    const confirmedAtOf = async () => {
      const [row] = await em().execute<{ order_confirmed_at: Date | string | null }[]>(
        'SELECT order_confirmed_at FROM payments WHERE id = ?',
        [payment.id],
      );
      return row!.order_confirmed_at === null ? null : new Date(row!.order_confirmed_at);
    };
    const inboxRows = async (eventId: string) =>
      (await em().execute('SELECT 1 FROM infra.inbox WHERE event_id = ?', [eventId])).length;

    expect(await confirmOrderPaymentAtOnce(em(), event(confirmedAt), claim, quietLogger())).to.equal(true);
    expect((await confirmedAtOf())?.toISOString()).to.equal(confirmedAt.toISOString());
    expect(await inboxRows(claim.eventId)).to.equal(1);
    // The same event again: nothing written, left to the consumer's transaction to call a repeat.
    expect(await confirmOrderPaymentAtOnce(em(), event(new Date()), claim, quietLogger())).to.equal(false);
    // Another event of the order: claimed, and the first confirmation time kept.
    const again = { ...claim, eventId: newId() };
    expect(await confirmOrderPaymentAtOnce(em(), event(new Date()), again, quietLogger())).to.equal(true);
    expect((await confirmedAtOf())?.toISOString()).to.equal(confirmedAt.toISOString());
    // A malformed order id: nothing written, not even the claim.
    const malformed = { ...claim, eventId: newId() };
    const bad = OrderConfirmed.fromPartial({ orderId: 'not-a-uuid', confirmedAt });
    expect(await confirmOrderPaymentAtOnce(em(), bad, malformed, quietLogger())).to.equal(false);
    expect(await inboxRows(malformed.eventId)).to.equal(0);
  });
});
