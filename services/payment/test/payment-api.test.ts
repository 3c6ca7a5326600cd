import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { AuthServiceClient } from '../../../gen/ecommerce/auth/v1/auth.js';
import {
  PaymentStatus,
  PaymentTransactionStatus,
  PaymentTransactionType,
} from '../../../gen/ecommerce/payment/v1/payment.js';
import { CommonReason, PaymentReason } from '../../../lib/error-reasons.js';
import { newId } from '../../../lib/ids.js';
import { testGatewayCallsFor, TestGateway } from '../src/providers/test-gateway.js';
import { DEV_TEST_WEBHOOK_SECRET } from '../src/settings.js';
import { failureOf, plainClient } from '../../../test/support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from '../../../test/support/mesh.js';
import { internalToken } from '../../../test/support/tokens.js';
import {
  authorizeRequest,
  customerOf,
  newKey,
  paymentClient,
  type PaymentClient,
} from './payment-support.js';

/**
 * The payment service over gRPC with the auth service, against its default gateway (the test
 * simulator, which lives in this process when the mesh does: its call counts are read here).
 */
describe('payment service over gRPC: money operations, reads, webhooks', function () {
  this.timeout(180_000);
  let mesh: TestMesh;
  let payment: PaymentClient;
  let service: string;
  let admin: string;
  // The mesh's gateway signs with the development secret; this one builds the same webhooks.
  const gateway = new TestGateway(DEV_TEST_WEBHOOK_SECRET);

  before(async () => {
    mesh = await startTestMesh(['auth', 'payment']);
    payment = paymentClient(mesh);
    service = await internalToken(mesh, 'order');
    const auth = plainClient(AuthServiceClient, mesh.address('auth'));
    admin = (await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
    auth.close();
  });
  after(async () => {
    payment?.close();
    await mesh?.stop();
  });

  const authorize = (overrides = {}) =>
    payment.authorizePayment(authorizeRequest(overrides), { token: service });

  it('lets only platform services move money: a customer or an admin is PERMISSION_DENIED, no token UNAUTHENTICATED', async () => {
    const customer = await customerOf(mesh, 'payer');
    const request = authorizeRequest({ userId: customer.userId });
    expect((await failureOf(payment.authorizePayment(request))).code).to.equal(status.UNAUTHENTICATED);
    for (const token of [customer.token, admin]) {
      expect((await failureOf(payment.authorizePayment(request, { token }))).code).to.equal(
        status.PERMISSION_DENIED,
      );
      const refund = {
        paymentId: newId(),
        amount: { currencyCode: 'EUR', amountMinor: 1 },
        reason: 'r',
        returnId: '',
        idempotencyKey: newKey(),
      };
      expect((await failureOf(payment.refundPayment(refund, { token }))).code).to.equal(
        status.PERMISSION_DENIED,
      );
    }
  });

  it('authorises, captures part, refunds twice; answers a decline with its reason and code', async () => {
    const { payment: held } = await authorize({ amount: { currencyCode: 'EUR', amountMinor: 5_000 } });
    expect(held!.status).to.equal(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    const { payment: captured } = await payment.capturePayment(
      { paymentId: held!.id, amount: { currencyCode: 'EUR', amountMinor: 4_000 }, idempotencyKey: newKey() },
      { token: service },
    );
    expect(captured!.amountCaptured).to.deep.equal({ currencyCode: 'EUR', amountMinor: 4_000 });
    const refund = (amountMinor: number) =>
      payment.refundPayment(
        {
          paymentId: held!.id,
          amount: { currencyCode: 'EUR', amountMinor },
          reason: 'return',
          returnId: newId(),
          idempotencyKey: newKey(),
        },
        { token: service },
      );
    expect((await refund(1_000)).payment!.status).to.equal(PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED);
    const tooMuch = await failureOf(refund(3_001));
    expect(tooMuch.code).to.equal(status.FAILED_PRECONDITION);
    expect(tooMuch.errorInfo).to.deep.include({
      reason: PaymentReason.AMOUNT_EXCEEDS_REFUNDABLE,
      metadata: { refundable_minor: '3000' },
    });
    const last = await refund(3_000);
    expect(last.payment!.status).to.equal(PaymentStatus.PAYMENT_STATUS_REFUNDED);
    expect(last.refund).to.deep.include({ amount: { currencyCode: 'EUR', amountMinor: 3_000 } });
    const second = await failureOf(
      payment.capturePayment(
        { paymentId: held!.id, amount: { currencyCode: 'EUR', amountMinor: 1 }, idempotencyKey: newKey() },
        { token: service },
      ),
    );
    expect(second.errorInfo?.reason).to.equal(PaymentReason.PAYMENT_NOT_CAPTURABLE);

    const declined = await failureOf(
      authorize({ paymentToken: 'pm_card_visa_chargeDeclinedInsufficientFunds' }),
    );
    expect(declined.code).to.equal(status.FAILED_PRECONDITION);
    expect(declined.errorInfo?.reason).to.equal(PaymentReason.PAYMENT_DECLINED);
    expect(declined.errorInfo?.metadata?.decline_code).to.equal('insufficient_funds');
    const above = await authorize({ amount: { currencyCode: 'EUR', amountMinor: 100 } });
    const refused = await failureOf(
      payment.capturePayment(
        {
          paymentId: above.payment!.id,
          amount: { currencyCode: 'EUR', amountMinor: 101 },
          idempotencyKey: newKey(),
        },
        { token: service },
      ),
    );
    expect(refused.errorInfo).to.deep.include({ reason: PaymentReason.AMOUNT_EXCEEDS_AUTHORIZED });
  });

  it('names every field at fault at once', async () => {
    const failure = await failureOf(
      payment.authorizePayment(
        authorizeRequest({
          orderId: 'x',
          userId: '',
          guestEmail: '',
          amount: { currencyCode: 'EURO', amountMinor: 0 },
          paymentToken: '',
          idempotencyKey: 'k',
        }),
        { token: service },
      ),
    );
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations.map((v) => v.field)).to.deep.equal([
      'order_id',
      'user_id',
      'amount.currency_code',
      'amount.amount_minor',
      'payment_method_id',
      'idempotency_key',
    ]);
  });

  it('makes one gateway call for the same key sent 100 times at once', async () => {
    const request = authorizeRequest();
    const answers = await Promise.allSettled(
      Array.from({ length: 100 }, () => payment.authorizePayment(request, { token: service })),
    );
    const ids = new Set(answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value.payment!.id] : [])));
    expect(ids.size).to.equal(1);
    for (const answer of answers) {
      if (answer.status === 'rejected') {
        expect(answer.reason).to.deep.include({ code: status.ABORTED });
        expect((answer.reason as { errorInfo: { reason: string } }).errorInfo.reason).to.equal(
          CommonReason.IDEMPOTENCY_KEY_IN_PROGRESS,
        );
      }
    }
    const [paymentId] = [...ids];
    expect(testGatewayCallsFor(paymentId!).operations).to.equal(1);
    const reused = await failureOf(
      payment.authorizePayment({ ...request, orderId: newId() }, { token: service }),
    );
    expect(reused.errorInfo?.reason).to.equal(CommonReason.IDEMPOTENCY_KEY_REUSED);
  });

  it('answers a lost capture UNAVAILABLE PAYMENT_OUTCOME_UNKNOWN; the retry with the same key records one capture', async () => {
    const { payment: held } = await authorize({
      paymentToken: 'pm_card_captureAnswerLost',
      amount: { currencyCode: 'EUR', amountMinor: 2_500 },
    });
    const request = {
      paymentId: held!.id,
      amount: { currencyCode: 'EUR', amountMinor: 2_500 },
      idempotencyKey: newKey(),
    };
    const lost = await failureOf(payment.capturePayment(request, { token: service }));
    expect(lost.code).to.equal(status.UNAVAILABLE);
    expect(lost.errorInfo).to.deep.include({
      reason: PaymentReason.PAYMENT_OUTCOME_UNKNOWN,
      metadata: { payment_id: held!.id },
    });
    const retried = await payment.capturePayment(request, { token: service });
    expect(retried.payment!.status).to.equal(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    const { transactions } = await payment.getPayment({ paymentId: held!.id }, { token: service });
    expect(transactions.map((t) => [t.type, t.status, t.amount!.amountMinor])).to.deep.equal([
      [
        PaymentTransactionType.PAYMENT_TRANSACTION_TYPE_AUTHORIZE,
        PaymentTransactionStatus.PAYMENT_TRANSACTION_STATUS_SUCCEEDED,
        2_500,
      ],
      [
        PaymentTransactionType.PAYMENT_TRANSACTION_TYPE_CAPTURE,
        PaymentTransactionStatus.PAYMENT_TRANSACTION_STATUS_SUCCEEDED,
        2_500,
      ],
    ]);
  });

  it('authorises and captures in one call when asked: one capture for the request sent again or ten times at once', async () => {
    const request = authorizeRequest({ amount: { currencyCode: 'EUR', amountMinor: 3_100 }, capture: true });
    const first = await payment.authorizePayment(request, { token: service });
    expect(first.payment).to.deep.include({
      status: PaymentStatus.PAYMENT_STATUS_CAPTURED,
      amountAuthorized: { currencyCode: 'EUR', amountMinor: 3_100 },
      amountCaptured: { currencyCode: 'EUR', amountMinor: 3_100 },
    });
    const again = await Promise.all(
      Array.from({ length: 10 }, () => payment.authorizePayment(request, { token: service })),
    );
    for (const answer of again) expect(answer.payment).to.deep.equal(first.payment);
    const { transactions } = await payment.getPayment({ paymentId: first.payment!.id }, { token: service });
    expect(transactions.map((t) => [t.type, t.status])).to.deep.equal([
      [
        PaymentTransactionType.PAYMENT_TRANSACTION_TYPE_AUTHORIZE,
        PaymentTransactionStatus.PAYMENT_TRANSACTION_STATUS_SUCCEEDED,
      ],
      [
        PaymentTransactionType.PAYMENT_TRANSACTION_TYPE_CAPTURE,
        PaymentTransactionStatus.PAYMENT_TRANSACTION_STATUS_SUCCEEDED,
      ],
    ]);
    expect(testGatewayCallsFor(first.payment!.id).operations).to.equal(2);
    // The same key for a hold only is another request.
    const hold = await failureOf(
      payment.authorizePayment({ ...request, capture: false }, { token: service }),
    );
    expect(hold.errorInfo?.reason).to.equal(CommonReason.IDEMPOTENCY_KEY_REUSED);
  });

  it('answers a declined card with capture asked as a decline, and captures nothing', async () => {
    const request = authorizeRequest({ paymentToken: 'pm_card_visa_chargeDeclined', capture: true });
    const declined = await failureOf(payment.authorizePayment(request, { token: service }));
    expect(declined.code).to.equal(status.FAILED_PRECONDITION);
    expect(declined.errorInfo?.reason).to.equal(PaymentReason.PAYMENT_DECLINED);
    const { payments } = await payment.listPayments(
      {
        orderId: request.orderId,
        userId: '',
        status: PaymentStatus.PAYMENT_STATUS_UNSPECIFIED,
        page: { pageSize: 10, pageToken: '' },
      },
      { token: service },
    );
    expect(payments.map((p) => [p.status, p.amountCaptured?.amountMinor ?? 0])).to.deep.equal([
      [PaymentStatus.PAYMENT_STATUS_FAILED, 0],
    ]);
  });

  it('leaves a payment whose capture answer was lost authorised and says so; the same request again captures it once', async () => {
    const request = authorizeRequest({ paymentToken: 'pm_card_captureAnswerLost', capture: true });
    const lost = await failureOf(payment.authorizePayment(request, { token: service }));
    expect(lost.code).to.equal(status.UNAVAILABLE);
    expect(lost.errorInfo?.reason).to.equal(PaymentReason.PAYMENT_OUTCOME_UNKNOWN);
    const paymentId = lost.errorInfo?.metadata?.payment_id ?? '';
    expect(paymentId).to.not.equal('');
    const retried = await payment.authorizePayment(request, { token: service });
    expect(retried.payment).to.deep.include({ id: paymentId, status: PaymentStatus.PAYMENT_STATUS_CAPTURED });
    const { transactions } = await payment.getPayment({ paymentId }, { token: service });
    expect(transactions.map((t) => [t.type, t.status])).to.deep.equal([
      [
        PaymentTransactionType.PAYMENT_TRANSACTION_TYPE_AUTHORIZE,
        PaymentTransactionStatus.PAYMENT_TRANSACTION_STATUS_SUCCEEDED,
      ],
      [
        PaymentTransactionType.PAYMENT_TRANSACTION_TYPE_CAPTURE,
        PaymentTransactionStatus.PAYMENT_TRANSACTION_STATUS_SUCCEEDED,
      ],
    ]);
  });

  it('lets a customer read their own payments only: another’s is NOT_FOUND, lists show only theirs; admins read any', async () => {
    const alice = await customerOf(mesh, 'alice');
    const bob = await customerOf(mesh, 'bob');
    const { payment: hers } = await authorize({ userId: alice.userId });
    expect((await payment.getPayment({ paymentId: hers!.id }, { token: alice.token })).payment!.id).to.equal(
      hers!.id,
    );
    const denied = await failureOf(payment.getPayment({ paymentId: hers!.id }, { token: bob.token }));
    expect(denied.code).to.equal(status.NOT_FOUND);
    expect((await payment.getPayment({ paymentId: hers!.id }, { token: admin })).payment!.userId).to.equal(
      alice.userId,
    );
    const bobs = await payment.listPayments(
      { orderId: '', status: 0, userId: alice.userId, page: undefined },
      { token: bob.token },
    );
    expect(bobs.payments).to.deep.equal([]);
    const alices = await payment.listPayments(
      { orderId: '', status: 0, userId: '', page: undefined },
      { token: alice.token },
    );
    expect(alices.payments.map((p) => p.id)).to.deep.equal([hers!.id]);
    const byOrder = await payment.listPayments(
      {
        orderId: hers!.orderId,
        status: PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
        userId: '',
        page: { pageSize: 1, pageToken: '' },
      },
      { token: admin },
    );
    expect(byOrder.payments.map((p) => p.id)).to.deep.equal([hers!.id]);
  });

  it('pages a listing with keyset tokens, each payment once', async () => {
    const customer = await customerOf(mesh, 'pager');
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await authorize({ userId: customer.userId })).payment!.id);
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await payment.listPayments(
        { orderId: '', status: 0, userId: customer.userId, page: { pageSize: 2, pageToken } },
        { token: service },
      );
      seen.push(...page.payments.map((p) => p.id));
      pageToken = page.page!.nextPageToken;
    } while (pageToken);
    expect(seen).to.deep.equal([...made].reverse());
  });

  it('refuses a forged webhook (UNAUTHENTICATED) and stores nothing; the same webhook 5 times at once applies once', async () => {
    const { payment: held } = await authorize({
      paymentToken: 'pm_card_captureAnswerLost',
      amount: { currencyCode: 'EUR', amountMinor: 800 },
    });
    await failureOf(
      payment.capturePayment(
        { paymentId: held!.id, amount: { currencyCode: 'EUR', amountMinor: 800 }, idempotencyKey: newKey() },
        { token: service },
      ),
    );
    const captured = gateway
      .webhooksFor(held!.id)
      .find((w) => w.rawBody.toString().includes('payment.captured'))!;
    const forged = new TestGateway('whsec_someone_else_entirely_00').webhooksFor(held!.id)[1]!;
    const refused = await failureOf(payment.receiveGatewayWebhook(forged));
    expect(refused.code).to.equal(status.UNAUTHENTICATED);
    expect(refused.errorInfo?.reason).to.equal(PaymentReason.WEBHOOK_SIGNATURE_INVALID);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => payment.receiveGatewayWebhook(captured)),
    );
    // The forged copy carried the same event id: had it been stored, all five would be duplicates.
    expect(answers.filter((a) => a.applied)).to.have.length(1);
    expect(answers.filter((a) => a.duplicate)).to.have.length(4);
    const { payment: after } = await payment.getPayment({ paymentId: held!.id }, { token: service });
    expect(after!.status).to.equal(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    const empty = await failureOf(
      payment.receiveGatewayWebhook({ rawBody: Buffer.alloc(0), signatureHeader: '' }),
    );
    expect(empty.violations.map((v) => v.field)).to.deep.equal(['raw_body', 'signature_header']);
  });
});
