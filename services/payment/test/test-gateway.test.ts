import { expect } from 'chai';
import { newId } from '../../../lib/ids.js';
import { WebhookSignatureError, type GatewayResult } from '../src/providers/payment-provider.js';
import { TestGateway, testGatewayCallsFor } from '../src/providers/test-gateway.js';
import {
  signTestWebhook,
  signedTestWebhook,
  verifyTestWebhook,
} from '../src/providers/test-gateway-webhooks.js';

const SECRET = 'whsec_unit_test_secret_0123456789';

describe('payment: the test gateway simulator', () => {
  const gateway = new TestGateway(SECRET);
  const key = () => `key-${newId()}`;
  const authorize = (paymentToken: string, amountMinor = 1000, reference = newId()) =>
    gateway.authorize({ reference, paymentToken, amountMinor, currency: 'EUR', idempotencyKey: key() });
  const succeeded = (result: GatewayResult) => {
    if (result.outcome !== 'succeeded') throw new Error(`expected success, got ${JSON.stringify(result)}`);
    return result;
  };

  it('answers every documented test token as documented', async () => {
    const outcomes: Record<string, string> = {};
    for (const token of [
      'pm_card_visa',
      'pm_card_mastercard',
      'pm_card_visa_chargeDeclined',
      'pm_card_visa_chargeDeclinedInsufficientFunds',
      'pm_card_chargeDeclinedExpiredCard',
      'pm_card_chargeDeclinedProcessingError',
      'pm_card_captureAnswerLost',
      'pm_card_unknown_to_the_gateway',
    ]) {
      const result = await authorize(token);
      outcomes[token] = result.outcome === 'declined' ? result.declineCode : result.outcome;
    }
    expect(outcomes).to.deep.equal({
      pm_card_visa: 'succeeded',
      pm_card_mastercard: 'succeeded',
      pm_card_visa_chargeDeclined: 'card_declined',
      pm_card_visa_chargeDeclinedInsufficientFunds: 'insufficient_funds',
      pm_card_chargeDeclinedExpiredCard: 'expired_card',
      pm_card_chargeDeclinedProcessingError: 'processing_error',
      pm_card_captureAnswerLost: 'succeeded',
      pm_card_unknown_to_the_gateway: 'invalid_request',
    });
  });

  it('honours idempotency keys: the same parameters get the first result, others an error, nothing done twice', async () => {
    const reference = newId();
    const request = {
      reference,
      paymentToken: 'pm_card_visa',
      amountMinor: 500,
      currency: 'EUR',
      idempotencyKey: key(),
    };
    const first = succeeded(await gateway.authorize(request));
    const again = succeeded(await gateway.authorize(request));
    expect(again).to.deep.equal(first);
    const other = await gateway.authorize({ ...request, amountMinor: 501 });
    expect(other).to.include({ outcome: 'declined', declineCode: 'invalid_request' });
    expect(testGatewayCallsFor(reference).operations).to.equal(3);
    const capture = {
      gatewayPaymentId: first.gatewayPaymentId,
      amountMinor: 200,
      currency: 'EUR',
      idempotencyKey: key(),
    };
    expect(succeeded(await gateway.capture(capture))).to.deep.equal(
      succeeded(await gateway.capture(capture)),
    );
    expect((await gateway.lookup({ reference }))!).to.include({ status: 'captured', capturedMinor: 200 });
  });

  it('refuses a capture above the hold, a second capture, a refund above the capture', async () => {
    const { gatewayPaymentId } = succeeded(await authorize('pm_card_visa', 1000));
    const capture = (amountMinor: number) =>
      gateway.capture({ gatewayPaymentId, amountMinor, currency: 'EUR', idempotencyKey: key() });
    expect(await capture(1001)).to.include({ outcome: 'declined', declineCode: 'invalid_request' });
    succeeded(await capture(600));
    expect(await capture(100)).to.include({ outcome: 'declined', declineCode: 'invalid_request' });
    const refund = (amountMinor: number) =>
      gateway.refund({
        gatewayPaymentId,
        amountMinor,
        currency: 'EUR',
        reason: 'test',
        idempotencyKey: key(),
      });
    succeeded(await refund(400));
    expect(await refund(201)).to.include({ outcome: 'declined', declineCode: 'invalid_request' });
    succeeded(await refund(200));
    const view = (await gateway.lookup({ reference: '', gatewayPaymentId }))!;
    expect(view).to.include({ authorizedMinor: 1000, capturedMinor: 600, refundedMinor: 600 });
  });

  it('loses the answer of pm_card_captureAnswerLost captures: done at the gateway, unknown to the caller', async () => {
    const reference = newId();
    const { gatewayPaymentId } = succeeded(await authorize('pm_card_captureAnswerLost', 900, reference));
    const capture = { gatewayPaymentId, amountMinor: 900, currency: 'EUR', idempotencyKey: key() };
    expect((await gateway.capture(capture)).outcome).to.equal('unknown');
    let unreachable: unknown;
    await gateway.lookup({ reference }).catch((error: unknown) => (unreachable = error));
    expect(unreachable).to.be.instanceOf(Error);
    expect(await gateway.lookup({ reference })).to.include({ status: 'captured', capturedMinor: 900 });
    expect(succeeded(await gateway.capture(capture)).amountMinor).to.equal(900);
  });

  it('signs its webhooks Stripe-style and verifies only the exact body, within 300 s, with its secret', async () => {
    const reference = newId();
    succeeded(await authorize('pm_card_visa', 700, reference));
    const [webhook] = gateway.webhooksFor(reference);
    const event = gateway.verifyWebhook(webhook!.rawBody, webhook!.signatureHeader);
    expect(event).to.include({ type: 'payment.authorized', reference, amountMinor: 700 });
    expect(webhook!.signatureHeader).to.match(/^t=\d+,v1=[0-9a-f]{64}$/);

    const body = JSON.parse(webhook!.rawBody.toString()) as Parameters<typeof signedTestWebhook>[1];
    const refused = (raw: Uint8Array, header: string) => {
      try {
        verifyTestWebhook(SECRET, raw, header);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const tampered = Buffer.from(webhook!.rawBody.toString().replace('700', '701'));
    expect(refused(tampered, webhook!.signatureHeader)).to.be.instanceOf(WebhookSignatureError);
    const other = signedTestWebhook('whsec_some_other_secret_000000', body);
    expect(refused(other.rawBody, other.signatureHeader)).to.be.instanceOf(WebhookSignatureError);
    const stale = signTestWebhook(SECRET, webhook!.rawBody, new Date(Date.now() - 301_000));
    expect(refused(webhook!.rawBody, stale)).to.be.instanceOf(WebhookSignatureError);
    for (const header of [
      '',
      'v1=abc',
      't=1',
      'garbage',
      `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
    ]) {
      expect(refused(webhook!.rawBody, header), header).to.be.instanceOf(WebhookSignatureError);
    }
  });
});
