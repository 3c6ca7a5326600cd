import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { PaymentStatus } from '../../../gen/ecommerce/payment/v1/payment.js';
import { CommonReason, PaymentReason } from '../../../lib/error-reasons.js';
import {
  PaymentAuthorizedEvent,
  PaymentCapturedEvent,
  PaymentFailedEvent,
  PaymentRefundedEvent,
} from '../../../lib/events/catalog.js';
import { newId } from '../../../lib/ids.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { authorizePayment } from '../src/domain/authorize-payment.js';
import { capturePayment } from '../src/domain/capture-payment.js';
import { refundPayment } from '../src/domain/refund-payment.js';
import { voidPayment } from '../src/domain/void-payment.js';
import { testGatewayCallsFor } from '../src/providers/test-gateway.js';
import { deleteVaultedPaymentMethod, vaultPaymentMethod } from '../src/vault/vault.js';
import {
  authorization,
  newKey,
  openPaymentDatabase,
  outboxEvents,
  paymentDeps,
  testCard,
  transactionRows,
} from './support.js';

describe('payment: authorise, capture, void, refund against the test gateway', function () {
  this.timeout(120_000);
  let db: ScratchDatabase;
  const deps = paymentDeps();
  const em = () => db.orm.em.fork();

  before(async () => {
    db = await openPaymentDatabase('payment_operations');
  });
  after(async () => {
    await db?.drop();
  });

  const authorized = async (amountMinor = 10_000, paymentToken = 'pm_card_visa') =>
    (
      await authorizePayment(
        em(),
        deps,
        authorization({ amount: { currencyCode: 'EUR', amountMinor }, paymentToken }),
      )
    ).payment;
  const capture = (paymentId: string, amountMinor: number, idempotencyKey = newKey()) =>
    capturePayment(em(), deps.provider, {
      paymentId,
      amount: { currencyCode: 'EUR', amountMinor },
      idempotencyKey,
    });
  const refund = (paymentId: string, amountMinor: number, idempotencyKey = newKey()) =>
    refundPayment(em(), deps.provider, {
      paymentId,
      amount: { currencyCode: 'EUR', amountMinor },
      reason: 'customer asked',
      returnId: null,
      idempotencyKey,
    });

  it('authorises pm_card_visa: the payment holds the amount, one transaction, one event', async () => {
    const payment = await authorized(2500);
    expect(payment).to.deep.include({
      status: PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
      provider: 'test',
      amountAuthorized: { currencyCode: 'EUR', amountMinor: 2500 },
    });
    expect(payment.providerPaymentId).to.match(/^tgp_/);
    expect(await transactionRows(em(), payment.id)).to.deep.equal([
      { type: 'authorize', status: 'succeeded', amount: '25.00' },
    ]);
    expect(await outboxEvents(em(), PaymentAuthorizedEvent, payment.id)).to.have.length(1);
  });

  it('records every decline: FAILED_PRECONDITION PAYMENT_DECLINED with its code, the payment FAILED, the key keeps it', async () => {
    const codes: Record<string, string> = {
      pm_card_visa_chargeDeclined: 'card_declined',
      pm_card_visa_chargeDeclinedInsufficientFunds: 'insufficient_funds',
      pm_card_chargeDeclinedExpiredCard: 'expired_card',
      pm_card_chargeDeclinedProcessingError: 'processing_error',
      pm_card_no_such_method: 'invalid_request',
    };
    for (const [paymentToken, declineCode] of Object.entries(codes)) {
      const input = authorization({ paymentToken });
      const failure = await failureOf(authorizePayment(em(), deps, input));
      expect(failure.code, paymentToken).to.equal(status.FAILED_PRECONDITION);
      expect(failure.reason).to.equal(PaymentReason.PAYMENT_DECLINED);
      expect(failure.metadata?.decline_code, paymentToken).to.equal(declineCode);
      const paymentId = failure.metadata!.payment_id!;
      const [row] = await em().execute<{ status: string; failure_code: string }[]>(
        'SELECT status, failure_code FROM payments WHERE id = ?',
        [paymentId],
      );
      expect(row).to.deep.equal({ status: 'failed', failure_code: declineCode });
      expect(await transactionRows(em(), paymentId)).to.deep.equal([
        { type: 'authorize', status: 'failed', amount: '100.00' },
      ]);
      expect(await outboxEvents(em(), PaymentFailedEvent, paymentId)).to.have.length(1);
      // The same key answers the same decline, without asking the gateway again.
      const again = await failureOf(authorizePayment(em(), deps, input));
      expect(again.metadata).to.deep.equal(failure.metadata);
      expect(testGatewayCallsFor(paymentId).operations).to.equal(1);
    }
  });

  it('makes one gateway call for the same key sent 100 times at once; every answer is the payment or IN_PROGRESS', async () => {
    const input = authorization();
    const answers = await Promise.allSettled(
      Array.from({ length: 100 }, () => authorizePayment(em(), deps, input)),
    );
    const payments = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value.payment] : []));
    const refusals = answers.flatMap((a) =>
      a.status === 'rejected' ? [a.reason as { code: number; reason: string }] : [],
    );
    expect(payments.length).to.be.greaterThan(0);
    expect(new Set(payments.map((p) => p.id)).size).to.equal(1);
    for (const refusal of refusals) {
      expect(refusal).to.include({ code: status.ABORTED, reason: CommonReason.IDEMPOTENCY_KEY_IN_PROGRESS });
    }
    const paymentId = payments[0]!.id;
    expect(testGatewayCallsFor(paymentId)).to.deep.equal({ operations: 1, lookups: 0 });
    expect((await authorizePayment(em(), deps, input)).payment).to.deep.equal(payments[0]);
    const [stored] = await em().execute<{ count: string }[]>(
      'SELECT count(*)::text AS count FROM payments WHERE idempotency_key = ?',
      [input.idempotencyKey],
    );
    expect(stored!.count).to.equal('1');
    const reused = await failureOf(
      authorizePayment(em(), deps, { ...input, amount: { currencyCode: 'EUR', amountMinor: 1 } }),
    );
    expect(reused).to.include({
      code: status.FAILED_PRECONDITION,
      reason: CommonReason.IDEMPOTENCY_KEY_REUSED,
    });
  });

  it('captures part of the hold at the gateway, then refuses a second capture; refuses a capture above the hold', async () => {
    const payment = await authorized(10_000);
    const above = await failureOf(capture(payment.id, 10_001));
    expect(above).to.include({
      code: status.FAILED_PRECONDITION,
      reason: PaymentReason.AMOUNT_EXCEEDS_AUTHORIZED,
    });
    expect(above.metadata).to.deep.equal({ authorized_minor: '10000' });
    const captured = (await capture(payment.id, 6_000)).payment;
    expect(captured).to.deep.include({
      status: PaymentStatus.PAYMENT_STATUS_CAPTURED,
      amountCaptured: { currencyCode: 'EUR', amountMinor: 6_000 },
    });
    const atGateway = await deps.provider.lookup({ reference: payment.id });
    expect(atGateway).to.include({ capturedMinor: 6_000, authorizedMinor: 10_000 });
    const second = await failureOf(capture(payment.id, 1_000));
    expect(second).to.include({
      code: status.FAILED_PRECONDITION,
      reason: PaymentReason.PAYMENT_NOT_CAPTURABLE,
    });
    expect(second.metadata).to.deep.equal({ status: 'captured' });
    expect(await outboxEvents(em(), PaymentCapturedEvent, payment.id)).to.have.length(1);
  });

  it('voids a hold once; a voided payment cannot be captured and a captured one cannot be voided', async () => {
    const payment = await authorized(3_000);
    const key = newKey();
    const voided = (await voidPayment(em(), deps.provider, { paymentId: payment.id, idempotencyKey: key }))
      .payment;
    expect(voided.status).to.equal(PaymentStatus.PAYMENT_STATUS_VOIDED);
    expect(
      (await voidPayment(em(), deps.provider, { paymentId: payment.id, idempotencyKey: key })).payment,
    ).to.deep.equal(voided);
    expect(await failureOf(capture(payment.id, 100))).to.include({
      reason: PaymentReason.PAYMENT_NOT_CAPTURABLE,
    });
    const capturedOne = await authorized(3_000);
    await capture(capturedOne.id, 3_000);
    const refused = await failureOf(
      voidPayment(em(), deps.provider, { paymentId: capturedOne.id, idempotencyKey: newKey() }),
    );
    expect(refused).to.include({
      code: status.FAILED_PRECONDITION,
      reason: CommonReason.INVALID_STATUS_TRANSITION,
    });
  });

  it('ends 1,000 concurrent refunds of 1 against a capture of 100 with exactly 100 refunded and 900 clean refusals', async () => {
    const payment = await authorized(100);
    await capture(payment.id, 100);
    const answers = await Promise.allSettled(Array.from({ length: 1000 }, () => refund(payment.id, 1)));
    const done = answers.filter((a) => a.status === 'fulfilled');
    const refused = answers.flatMap((a) =>
      a.status === 'rejected' ? [a.reason as { code: number; reason: string }] : [],
    );
    expect(done).to.have.length(100);
    expect(refused).to.have.length(900);
    for (const refusal of refused) {
      expect(refusal).to.include({
        code: status.FAILED_PRECONDITION,
        reason: PaymentReason.AMOUNT_EXCEEDS_REFUNDABLE,
      });
    }
    const [row] = await em().execute<{ status: string; refunded: string; reserved: string }[]>(
      'SELECT status, amount_refunded::text AS refunded, amount_refund_reserved::text AS reserved FROM payments WHERE id = ?',
      [payment.id],
    );
    expect(row).to.deep.equal({ status: 'refunded', refunded: '1.00', reserved: '0.00' });
    expect((await deps.provider.lookup({ reference: payment.id }))!.refundedMinor).to.equal(100);
    expect(await outboxEvents(em(), PaymentRefundedEvent, payment.id)).to.have.length(100);
  });

  it('holds refunded <= captured <= authorised in the database itself', async () => {
    const payment = await authorized(500);
    await capture(payment.id, 400);
    for (const sql of [
      'UPDATE payments SET amount_refunded = 4.01 WHERE id = ?',
      'UPDATE payments SET amount_captured = 5.01 WHERE id = ?',
      'UPDATE payments SET amount_refund_reserved = -0.01 WHERE id = ?',
    ]) {
      let refused: unknown;
      await em()
        .execute(sql, [payment.id])
        .catch((error: unknown) => (refused = error));
      expect(String(refused), sql).to.match(/payments_amounts_check/);
    }
  });

  it('records a lost capture answer as unknown, answers UNAVAILABLE, and a retry with the same key records one capture', async () => {
    const payment = await authorized(4_200, 'pm_card_captureAnswerLost');
    const key = newKey();
    const lost = await failureOf(capture(payment.id, 4_200, key));
    expect(lost).to.include({ code: status.UNAVAILABLE, reason: PaymentReason.PAYMENT_OUTCOME_UNKNOWN });
    expect(await transactionRows(em(), payment.id)).to.deep.equal([
      { type: 'authorize', status: 'succeeded', amount: '42.00' },
      { type: 'capture', status: 'unknown', amount: '42.00' },
    ]);
    const retried = (await capture(payment.id, 4_200, key)).payment;
    expect(retried).to.deep.include({
      status: PaymentStatus.PAYMENT_STATUS_CAPTURED,
      amountCaptured: { currencyCode: 'EUR', amountMinor: 4_200 },
    });
    expect((await capture(payment.id, 4_200, key)).payment).to.deep.equal(retried);
    expect(await transactionRows(em(), payment.id)).to.deep.equal([
      { type: 'authorize', status: 'succeeded', amount: '42.00' },
      { type: 'capture', status: 'succeeded', amount: '42.00' },
    ]);
    expect(await outboxEvents(em(), PaymentCapturedEvent, payment.id)).to.have.length(1);
    // One capture reached the gateway; the retry asked (lookup) instead of capturing again.
    expect(testGatewayCallsFor(payment.id).operations).to.equal(2);
  });

  it('never charges a deleted vaulted method, nor another customer’s', async () => {
    const userId = newId();
    const { id: methodId } = await vaultPaymentMethod(em(), deps.cipher, testCard(userId));
    const byVault = (owner: string, idempotencyKey = newKey()) =>
      authorizePayment(
        em(),
        deps,
        authorization({ userId: owner, paymentMethodId: methodId, paymentToken: null, idempotencyKey }),
      );
    expect((await byVault(userId)).payment.status).to.equal(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    expect(await failureOf(byVault(newId()))).to.include({ code: status.NOT_FOUND });
    expect(await deleteVaultedPaymentMethod(em(), userId, methodId)).to.equal(true);
    const key = newKey();
    const deleted = await failureOf(byVault(userId, key));
    expect(deleted).to.include({
      code: status.FAILED_PRECONDITION,
      reason: PaymentReason.PAYMENT_METHOD_DELETED,
    });
    const [stored] = await em().execute<{ count: string }[]>(
      'SELECT count(*)::text AS count FROM payments WHERE idempotency_key = ?',
      [key],
    );
    expect(stored!.count).to.equal('0');
  });
});
