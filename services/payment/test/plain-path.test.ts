import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { PaymentStatus } from '../../../gen/ecommerce/payment/v1/payment.js';
import { CommonReason, PaymentReason } from '../../../lib/error-reasons.js';
import { PaymentAuthorizedEvent, PaymentCapturedEvent } from '../../../lib/events/catalog.js';
import { newId } from '../../../lib/ids.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { authorizePayment } from '../src/domain/authorize-payment.js';
import { capturePayment } from '../src/domain/capture-payment.js';
import { SCOPE_OF } from '../src/domain/gateway-operation.js';
import { doneAnswer } from '../src/domain/operation-answer.js';
import { paymentMessage, requirePayment } from '../src/domain/payment-records.js';
import { beginPlainAuthorization, beginPlainCapture, settlePlainSuccess } from '../src/domain/plain-path.js';
import { recordedAmountOf, settleOperation } from '../src/domain/settle-operation.js';
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

/**
 * The plain path (one statement before the gateway call, one after) must leave exactly what the
 * general way leaves, and must write nothing at all whenever it does not apply.
 */
describe('payment: the plain path of authorise and capture', function () {
  this.timeout(120_000);
  let db: ScratchDatabase;
  const deps = paymentDeps();
  const em = () => db.orm.em.fork();

  before(async () => {
    db = await openPaymentDatabase('payment_plain_path');
  });
  after(async () => {
    await db?.drop();
  });

  const storedAnswer = async (scope: string, key: string) => {
    const [row] = await em().execute<{ status: string; response: Uint8Array | null }[]>(
      'SELECT status, response FROM infra.idempotency_keys WHERE scope = ? AND key = ?',
      [scope, key],
    );
    return (
      row && { status: row.status, answer: row.response && JSON.parse(Buffer.from(row.response).toString()) }
    );
  };
  const answerAsReadNow = async (paymentId: string) =>
    doneAnswer(paymentMessage(await requirePayment(em(), paymentId)));
  const capture = (paymentId: string, amountMinor: number, idempotencyKey = newKey()) =>
    capturePayment(em(), deps.provider, {
      paymentId,
      amount: { currencyCode: 'EUR', amountMinor },
      idempotencyKey,
    });
  const succeeded = (amountMinor: number) =>
    ({
      kind: 'succeeded',
      gatewayPaymentId: `tgp_${newId()}`,
      operationId: null,
      amountMinor,
      raw: {},
    }) as const;

  it('stores the answers of an authorisation and a capture as the payment reads afterwards, with one event each', async () => {
    const input = authorization({ amount: { currencyCode: 'EUR', amountMinor: 4_200 } });
    const { payment } = await authorizePayment(em(), deps, input);
    expect(await storedAnswer(SCOPE_OF.authorize, input.idempotencyKey)).to.deep.equal({
      status: 'completed',
      answer: await answerAsReadNow(payment.id),
    });
    const key = newKey();
    const captured = (await capture(payment.id, 4_000, key)).payment;
    expect(captured).to.deep.include({
      status: PaymentStatus.PAYMENT_STATUS_CAPTURED,
      amountAuthorized: { currencyCode: 'EUR', amountMinor: 4_200 },
      amountCaptured: { currencyCode: 'EUR', amountMinor: 4_000 },
    });
    expect(await storedAnswer(SCOPE_OF.capture, key)).to.deep.equal({
      status: 'completed',
      answer: await answerAsReadNow(payment.id),
    });
    expect(await transactionRows(em(), payment.id)).to.deep.equal([
      { type: 'authorize', status: 'succeeded', amount: '42.00' },
      { type: 'capture', status: 'succeeded', amount: '40.00' },
    ]);
    const [authorizedEvent] = await outboxEvents(em(), PaymentAuthorizedEvent, payment.id);
    const [capturedEvent, second] = await outboxEvents(em(), PaymentCapturedEvent, payment.id);
    expect(authorizedEvent?.amount).to.deep.equal({ currencyCode: 'EUR', amountMinor: 4_200 });
    expect(capturedEvent?.amount).to.deep.equal({ currencyCode: 'EUR', amountMinor: 4_000 });
    expect(second).to.equal(undefined);
    // A repeat answers what was stored, and asks the gateway nothing.
    expect((await capture(payment.id, 4_000, key)).payment).to.deep.equal(captured);
    expect(testGatewayCallsFor(payment.id).operations).to.equal(2);
  });

  it('records nothing when the payment changed after its plain start; the general way then records the answer once', async () => {
    const input = authorization();
    const plain = (await beginPlainAuthorization(em(), deps.provider.name, input))!;
    const paymentId = plain.operation.payment.id;
    // Another writer (a webhook, the reconciler) touched the payment meanwhile.
    await em().execute('UPDATE payments SET updated_at = now() WHERE id = ?', [paymentId]);
    expect(await settlePlainSuccess(em(), plain, succeeded(10_000))).to.equal(undefined);
    expect(await transactionRows(em(), paymentId)).to.deep.equal([
      { type: 'authorize', status: 'pending', amount: '100.00' },
    ]);
    expect(await storedAnswer(SCOPE_OF.authorize, input.idempotencyKey)).to.deep.include({
      status: 'in_progress',
    });
    expect(await outboxEvents(em(), PaymentAuthorizedEvent, paymentId)).to.have.length(0);

    const answer = await settleOperation(em(), plain.operation.transaction.id, succeeded(10_000));
    expect(answer).to.deep.equal(await answerAsReadNow(paymentId));
    // Too late now: the transaction is settled, and the plain statement changes nothing.
    const again = {
      ...plain,
      version: (
        await em().execute<{ v: string }[]>('SELECT xmin::text AS v FROM payments WHERE id = ?', [paymentId])
      )[0]!.v,
    };
    expect(await settlePlainSuccess(em(), again, succeeded(10_000))).to.equal(undefined);
    expect(await outboxEvents(em(), PaymentAuthorizedEvent, paymentId)).to.have.length(1);
    expect((await requirePayment(em(), paymentId)).status).to.equal('authorized');
  });

  it('records the gateway’s amount for a hold it granted below the one asked, as the general way would', async () => {
    const input = authorization({ amount: { currencyCode: 'EUR', amountMinor: 10_000 } });
    const plain = (await beginPlainAuthorization(em(), deps.provider.name, input))!;
    const paymentId = plain.operation.payment.id;
    const answer = await settlePlainSuccess(em(), plain, succeeded(9_000));
    expect(answer).to.deep.equal(await answerAsReadNow(paymentId));
    expect((await requirePayment(em(), paymentId)).amountAuthorized).to.equal(9_000);
    const [event] = await outboxEvents(em(), PaymentAuthorizedEvent, paymentId);
    expect(event?.amount).to.deep.equal({ currencyCode: 'EUR', amountMinor: 9_000 });
    // A refund records what was sent (reserved for it), whatever the gateway's figure.
    expect(recordedAmountOf('refund', 500, succeeded(700))).to.equal(500);
    expect(recordedAmountOf('capture', 500, succeeded(0))).to.equal(500);
  });

  it('writes nothing, and leaves the refusal to the general way, when a first request does not pass its checks', async () => {
    const counts = async () =>
      (
        await em().execute<{ counts: string }[]>(
          `SELECT concat_ws(' ', (SELECT count(*) FROM infra.idempotency_keys), (SELECT count(*) FROM payments),
                  (SELECT count(*) FROM payment_transactions)) AS counts`,
        )
      )[0]!.counts;
    const writesNothing = async (plainStart: Promise<unknown>, why: string) => {
      const before = await counts();
      expect(await plainStart, why).to.equal(undefined);
      expect(await counts(), why).to.equal(before);
    };

    const used = authorization();
    await authorizePayment(em(), deps, used);
    await em().execute('DELETE FROM infra.idempotency_keys WHERE key = ?', [used.idempotencyKey]);
    await writesNothing(
      beginPlainAuthorization(em(), deps.provider.name, used),
      'a key its payment keeps after the ledger purged it',
    );

    const userId = newId();
    const { id: paymentMethodId } = await vaultPaymentMethod(em(), deps.cipher, testCard(userId));
    const byMethod = (owner: string) => authorization({ userId: owner, paymentToken: null, paymentMethodId });
    await writesNothing(
      beginPlainAuthorization(em(), deps.provider.name, byMethod(newId())),
      'another’s method',
    );
    await writesNothing(
      beginPlainAuthorization(em(), 'stripe', byMethod(userId)),
      'another gateway’s method',
    );
    await deleteVaultedPaymentMethod(em(), userId, paymentMethodId);
    await writesNothing(
      beginPlainAuthorization(em(), deps.provider.name, byMethod(userId)),
      'a deleted method',
    );

    const { payment } = await authorizePayment(em(), deps, authorization());
    const captureOf = (paymentId: string, currencyCode: string, amountMinor: number) =>
      beginPlainCapture(em(), { paymentId, amount: { currencyCode, amountMinor }, idempotencyKey: newKey() });
    await writesNothing(captureOf(payment.id, 'USD', 100), 'another currency');
    await writesNothing(captureOf(payment.id, 'EUR', 10_001), 'above the hold');
    await writesNothing(captureOf(newId(), 'EUR', 100), 'an unknown payment');
    const declined = await failureOf(
      authorizePayment(em(), deps, authorization({ paymentToken: 'pm_card_visa_chargeDeclined' })),
    );
    await writesNothing(captureOf(declined.metadata!.payment_id!, 'EUR', 100), 'a failed payment');
  });

  it('never sends a vaulted card it cannot decrypt: the authorisation ends declined, the gateway never asked', async () => {
    const userId = newId();
    const { id: paymentMethodId } = await vaultPaymentMethod(em(), deps.cipher, testCard(userId));
    const otherKeys = paymentDeps(); // a vault key this card was not sealed with
    const input = authorization({ userId, paymentToken: null, paymentMethodId });
    const failure = await failureOf(authorizePayment(em(), { ...deps, cipher: otherKeys.cipher }, input));
    expect(failure).to.include({ code: status.FAILED_PRECONDITION, reason: PaymentReason.PAYMENT_DECLINED });
    expect(failure.metadata?.decline_code).to.equal('processing_error');
    expect(testGatewayCallsFor(failure.metadata!.payment_id!).operations).to.equal(0);
    expect(await transactionRows(em(), failure.metadata!.payment_id!)).to.deep.equal([
      { type: 'authorize', status: 'failed', amount: '100.00' },
    ]);
  });

  it('captures once when ten captures with different keys arrive at once; the others are refused cleanly', async () => {
    const { payment } = await authorizePayment(em(), deps, authorization());
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => capture(payment.id, 5_000)));
    const done = results.filter((r) => r.status === 'fulfilled');
    expect(done).to.have.length(1);
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      const failure = await failureOf(Promise.reject(result.reason));
      expect(failure.code).to.equal(status.FAILED_PRECONDITION);
      expect([PaymentReason.PAYMENT_OPERATION_IN_PROGRESS, PaymentReason.PAYMENT_NOT_CAPTURABLE]).to.include(
        failure.reason,
      );
    }
    expect(await transactionRows(em(), payment.id)).to.deep.equal([
      { type: 'authorize', status: 'succeeded', amount: '100.00' },
      { type: 'capture', status: 'succeeded', amount: '50.00' },
    ]);
    expect(testGatewayCallsFor(payment.id).operations).to.equal(2);
  });

  it('answers undefined, not an error, for a capture that waited for the payment while a void was written', async () => {
    const { payment } = await authorizePayment(em(), deps, authorization());
    let voidWritten!: () => void;
    let commitVoid!: () => void;
    const written = new Promise<void>((resolve) => (voidWritten = resolve));
    const released = new Promise<void>((resolve) => (commitVoid = resolve));
    const voiding = em().transactional(async (tx) => {
      await tx.execute('SELECT id FROM payments WHERE id = ? FOR UPDATE', [payment.id]);
      await tx.execute(
        `INSERT INTO payment_transactions (id, payment_id, type, status, amount, currency)
         VALUES (?, ?, 'void', 'pending', 100, 'EUR')`,
        [newId(), payment.id],
      );
      voidWritten();
      await released;
    });
    await written;
    // The capture's statement starts before the void commits: it waits for the payment's lock, and
    // its view of the payment's operations is older than the void.
    const plainCapture = beginPlainCapture(em(), {
      paymentId: payment.id,
      amount: { currencyCode: 'EUR', amountMinor: 100 },
      idempotencyKey: newKey(),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    commitVoid();
    await voiding;
    expect(await plainCapture).to.equal(undefined);
    expect((await transactionRows(em(), payment.id)).map((t) => t.type)).to.deep.equal(['authorize', 'void']);
  });

  it('makes one gateway capture for the same capture sent 50 times at once; every answer is the capture or IN_PROGRESS', async () => {
    const { payment } = await authorizePayment(em(), deps, authorization());
    const key = newKey();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => capture(payment.id, 7_000, key)),
    );
    for (const result of results) {
      if (result.status === 'fulfilled') {
        expect(result.value.payment.amountCaptured).to.deep.equal({
          currencyCode: 'EUR',
          amountMinor: 7_000,
        });
        continue;
      }
      const failure = await failureOf(Promise.reject(result.reason));
      expect(failure).to.include({ code: status.ABORTED, reason: CommonReason.IDEMPOTENCY_KEY_IN_PROGRESS });
    }
    expect(results.some((r) => r.status === 'fulfilled')).to.equal(true);
    expect(testGatewayCallsFor(payment.id).operations).to.equal(2);
    expect(await outboxEvents(em(), PaymentCapturedEvent, payment.id)).to.have.length(1);
  });
});
