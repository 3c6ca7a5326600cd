import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { WebhookSignatureError, type GatewayResult } from '../src/providers/payment-provider.js';
import { createStripeGateway, type StripeGateway } from '../src/providers/stripe-gateway.js';
import { stripeSettingsFrom } from '../src/providers/stripe-settings.js';
import { FakeStripeApi, type RecordedRequest } from './fake-stripe-api.js';

const WEBHOOK_SECRET = 'whsec_test_secret_for_the_fake_endpoint';

function gatewayAt(fake: FakeStripeApi, env: Record<string, string> = {}): StripeGateway {
  return createStripeGateway(
    stripeSettingsFrom({
      STRIPE_SECRET_KEY: 'sk_test_fake_key',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: fake.url,
      STRIPE_MAX_NETWORK_RETRIES: '0',
      STRIPE_TIMEOUT_MS: '2000',
      ...env,
    }),
  );
}

function authorization(overrides: Partial<Parameters<StripeGateway['authorize']>[0]> = {}) {
  return {
    reference: randomUUID(),
    paymentToken: 'pm_card_visa',
    amountMinor: 1999,
    currency: 'EUR',
    idempotencyKey: `authorize-${randomUUID()}`,
    ...overrides,
  };
}

function succeeded(result: GatewayResult): Extract<GatewayResult, { outcome: 'succeeded' }> {
  if (result.outcome !== 'succeeded') expect.fail(`expected succeeded, got ${JSON.stringify(result)}`);
  return result;
}

function only(requests: RecordedRequest[]): RecordedRequest {
  expect(requests, 'requests Stripe received').to.have.length(1);
  return requests[0]!;
}

describe('payment: the Stripe gateway', function () {
  this.timeout(30_000);
  let fake: FakeStripeApi;
  let gateway: StripeGateway;

  before(async () => {
    fake = await FakeStripeApi.start();
    gateway = gatewayAt(fake);
  });
  beforeEach(() => fake.reset());
  after(async () => {
    await fake?.close();
  });

  async function authorized(overrides: Parameters<typeof authorization>[0] = {}) {
    const result = succeeded(await gateway.authorize(authorization(overrides)));
    fake.reset();
    return result;
  }

  describe('authorize', () => {
    it('creates and confirms a manual-capture card PaymentIntent with our reference and idempotency key', async () => {
      const request = authorization();
      const result = succeeded(await gateway.authorize(request));

      const sent = only(fake.requests);
      expect(sent.method).to.equal('POST');
      expect(sent.path).to.equal('/v1/payment_intents');
      expect(sent.headers['content-type']).to.match(/^application\/x-www-form-urlencoded/);
      expect(sent.headers['authorization']).to.equal('Bearer sk_test_fake_key');
      expect(sent.headers['idempotency-key']).to.equal(request.idempotencyKey);
      expect(Object.fromEntries(sent.form)).to.deep.equal({
        amount: '1999',
        currency: 'eur',
        capture_method: 'manual',
        confirm: 'true',
        payment_method: 'pm_card_visa',
        'allowed_payment_method_types[0]': 'card',
        error_on_requires_action: 'true',
        'metadata[payment_reference]': request.reference,
      });

      const [intent] = fake.paymentIntents.filter((pi) => pi.id === result.gatewayPaymentId);
      expect(intent?.status).to.equal('requires_capture');
      expect(result.gatewayPaymentId).to.match(/^pi_/);
      expect(result.gatewayOperationId).to.equal(intent!.latest_charge);
      expect(result.amountMinor).to.equal(1999);
      expect(result.raw).to.include({ id: intent!.id, status: 'requires_capture' });
    });

    it('places one hold for the same idempotency key sent again and many times at once', async () => {
      const request = authorization();
      const first = succeeded(await gateway.authorize(request));
      const repeats = await Promise.all(Array.from({ length: 5 }, () => gateway.authorize(request)));

      for (const repeat of repeats)
        expect(succeeded(repeat).gatewayPaymentId).to.equal(first.gatewayPaymentId);
      expect(fake.requests.map((sent) => sent.headers['idempotency-key'])).to.deep.equal(
        Array(6).fill(request.idempotencyKey),
      );
      const holds = fake.paymentIntents.filter((pi) => pi.metadata.payment_reference === request.reference);
      expect(holds).to.have.length(1);
    });

    it('turns a one-time card token into a PaymentMethod first, under a key derived from ours', async () => {
      const request = authorization({ paymentToken: 'tok_visa' });
      succeeded(await gateway.authorize(request));

      expect(fake.requests.map((sent) => `${sent.method} ${sent.path}`)).to.deep.equal([
        'POST /v1/payment_methods',
        'POST /v1/payment_intents',
      ]);
      const [method, intent] = fake.requests;
      expect(Object.fromEntries(method!.form)).to.deep.equal({ type: 'card', 'card[token]': 'tok_visa' });
      expect(method!.headers['idempotency-key']).to.equal(`${request.idempotencyKey}:payment-method`);
      expect(intent!.form.get('payment_method')).to.equal('pm_card_visa');
      expect(intent!.headers['idempotency-key']).to.equal(request.idempotencyKey);
    });

    const declines: [string, string, string][] = [
      ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds', 'Your card has insufficient funds.'],
      ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'Your card has expired.'],
      [
        'pm_card_chargeDeclinedProcessingError',
        'processing_error',
        'An error occurred while processing your card. Try again in a little bit.',
      ],
      ['pm_card_chargeDeclined', 'card_declined', 'Your card was declined.'],
      ['pm_card_chargeDeclinedIncorrectCvc', 'card_declined', "Your card's security code is incorrect."],
      ['pm_card_chargeDeclinedLostCard', 'card_declined', 'Your card was declined.'],
    ];
    for (const [card, declineCode, message] of declines) {
      it(`maps the card error of ${card} to a decline with ${declineCode}`, async () => {
        const result = await gateway.authorize(authorization({ paymentToken: card }));

        expect(result).to.deep.include({ outcome: 'declined', declineCode, message });
        if (result.outcome !== 'declined') return;
        expect(result.raw).to.include({ type: 'card_error', status_code: 402 });
        expect(result.raw.payment_intent).to.match(/^pi_/);
      });
    }

    it('maps an invalid request (an amount under Stripe minimum) to invalid_request', async () => {
      const result = await gateway.authorize(authorization({ amountMinor: 10 }));

      expect(result).to.deep.include({ outcome: 'declined', declineCode: 'invalid_request' });
      if (result.outcome !== 'declined') return;
      expect(result.raw).to.include({
        type: 'invalid_request_error',
        code: 'amount_too_small',
        status_code: 400,
      });
    });
  });

  describe('lost and refused answers are unknown, never a guess', () => {
    const serverError = {
      status: 500,
      body: { error: { type: 'api_error', message: 'An unknown error occurred' } },
    };

    it('answers unknown for a 500, sent once when retries are off', async () => {
      fake.failWith(serverError);
      const result = await gateway.authorize(authorization());

      expect(result.outcome).to.equal('unknown');
      expect(result).to.have.property('message').that.contains('An unknown error occurred');
      expect(fake.requests).to.have.length(1);
    });

    it('retries a 500 under the same idempotency key, and answers the retry', async () => {
      const retrying = gatewayAt(fake, { STRIPE_MAX_NETWORK_RETRIES: '1' });
      const request = authorization();
      fake.failWith(serverError, 1);
      const result = await retrying.authorize(request);

      expect(succeeded(result).amountMinor).to.equal(1999);
      expect(fake.requests.map((sent) => sent.headers['idempotency-key'])).to.deep.equal([
        request.idempotencyKey,
        request.idempotencyKey,
      ]);
    });

    it('answers unknown when every retry gets a 500: 1 + STRIPE_MAX_NETWORK_RETRIES requests', async () => {
      const retrying = gatewayAt(fake, { STRIPE_MAX_NETWORK_RETRIES: '2' });
      fake.failWith(serverError);
      const result = await retrying.authorize(authorization());

      expect(result.outcome).to.equal('unknown');
      expect(fake.requests).to.have.length(3);
    });

    it('answers unknown when Stripe does not answer within STRIPE_TIMEOUT_MS', async () => {
      const impatient = gatewayAt(fake, { STRIPE_TIMEOUT_MS: '300' });
      fake.failWith({ hang: true });
      const result = await impatient.authorize(authorization());

      expect(result.outcome).to.equal('unknown');
      expect(result)
        .to.have.property('message')
        .that.matches(/timeout/i);
    });

    it('answers unknown for a connection reset, retried once under the same key even with retries off', async () => {
      const request = authorization();
      fake.failWith({ reset: true });
      const result = await gateway.authorize(request);

      expect(result.outcome).to.equal('unknown');
      expect(fake.requests.map((sent) => sent.headers['idempotency-key'])).to.deep.equal([
        request.idempotencyKey,
        request.idempotencyKey,
      ]);
    });

    it('answers unknown when nothing listens at the address', async () => {
      const closed = await FakeStripeApi.start();
      const nowhere = gatewayAt(closed);
      await closed.close();

      expect((await nowhere.authorize(authorization())).outcome).to.equal('unknown');
    });

    it('answers unknown for a 429 rate limit (no money moved, but not the card at fault)', async () => {
      fake.failWith({
        status: 429,
        body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } },
      });
      expect((await gateway.authorize(authorization())).outcome).to.equal('unknown');
    });

    it('answers unknown, not declined, when Stripe refuses the API key', async () => {
      fake.failWith({
        status: 401,
        body: { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_***' } },
      });
      expect((await gateway.authorize(authorization())).outcome).to.equal('unknown');
    });

    it('answers unknown, not declined, for our idempotency key reused with another amount', async () => {
      const request = authorization();
      succeeded(await gateway.authorize(request));
      const reused = await gateway.authorize({ ...request, amountMinor: 2999 });

      expect(reused.outcome).to.equal('unknown');
      expect(reused).to.have.property('message').that.contains('idempotent');
    });
  });

  describe('capture, void and refund', () => {
    it('captures part of the hold: amount_to_capture reaches Stripe', async () => {
      const hold = await authorized();
      const key = `capture-${randomUUID()}`;
      const result = succeeded(
        await gateway.capture({
          gatewayPaymentId: hold.gatewayPaymentId,
          amountMinor: 1500,
          currency: 'EUR',
          idempotencyKey: key,
        }),
      );

      const sent = only(fake.requests);
      expect(`${sent.method} ${sent.path}`).to.equal(
        `POST /v1/payment_intents/${hold.gatewayPaymentId}/capture`,
      );
      expect(Object.fromEntries(sent.form)).to.deep.equal({ amount_to_capture: '1500' });
      expect(sent.headers['idempotency-key']).to.equal(key);
      expect(result).to.include({ gatewayPaymentId: hold.gatewayPaymentId, amountMinor: 1500 });
      expect(result.gatewayOperationId).to.equal(hold.gatewayOperationId);
    });

    it('refuses to capture a voided payment as invalid_request', async () => {
      const hold = await authorized();
      succeeded(
        await gateway.void({ gatewayPaymentId: hold.gatewayPaymentId, idempotencyKey: randomUUID() }),
      );
      const result = await gateway.capture({
        gatewayPaymentId: hold.gatewayPaymentId,
        amountMinor: 1999,
        currency: 'EUR',
        idempotencyKey: randomUUID(),
      });

      expect(result).to.deep.include({ outcome: 'declined', declineCode: 'invalid_request' });
      if (result.outcome === 'declined') expect(result.raw.code).to.equal('payment_intent_unexpected_state');
    });

    it('voids by cancelling the PaymentIntent under our key', async () => {
      const hold = await authorized();
      const key = `void-${randomUUID()}`;
      const result = succeeded(
        await gateway.void({ gatewayPaymentId: hold.gatewayPaymentId, idempotencyKey: key }),
      );

      const sent = only(fake.requests);
      expect(`${sent.method} ${sent.path}`).to.equal(
        `POST /v1/payment_intents/${hold.gatewayPaymentId}/cancel`,
      );
      expect(sent.headers['idempotency-key']).to.equal(key);
      expect(result).to.include({ gatewayPaymentId: hold.gatewayPaymentId, amountMinor: 1999 });
    });

    it('refunds repeatedly up to the capture, each refund with its amount and key', async () => {
      const hold = await authorized({ amountMinor: 5000 });
      succeeded(
        await gateway.capture({
          gatewayPaymentId: hold.gatewayPaymentId,
          amountMinor: 4000,
          currency: 'EUR',
          idempotencyKey: randomUUID(),
        }),
      );
      fake.reset();
      const refund = (amountMinor: number, reason: string) =>
        gateway.refund({
          gatewayPaymentId: hold.gatewayPaymentId,
          amountMinor,
          currency: 'EUR',
          reason,
          idempotencyKey: `refund-${amountMinor}-${hold.gatewayPaymentId}`,
        });

      const first = succeeded(await refund(1500, 'requested_by_customer'));
      const second = succeeded(await refund(2500, 'damaged in transit'));
      const over = await refund(1, 'requested_by_customer');

      expect(first.gatewayOperationId).to.match(/^re_/);
      expect([first.amountMinor, second.amountMinor]).to.deep.equal([1500, 2500]);
      const [firstSent, secondSent] = fake.requests;
      expect(`${firstSent!.method} ${firstSent!.path}`).to.equal('POST /v1/refunds');
      expect(Object.fromEntries(firstSent!.form)).to.deep.equal({
        payment_intent: hold.gatewayPaymentId,
        amount: '1500',
        reason: 'requested_by_customer',
        'metadata[refund_reason]': 'requested_by_customer',
      });
      expect(Object.fromEntries(secondSent!.form)).to.deep.equal({
        payment_intent: hold.gatewayPaymentId,
        amount: '2500',
        'metadata[refund_reason]': 'damaged in transit',
      });
      expect(firstSent!.headers['idempotency-key']).to.equal(`refund-1500-${hold.gatewayPaymentId}`);
      expect(over).to.deep.include({ outcome: 'declined', declineCode: 'invalid_request' });
    });
  });

  describe('lookup', () => {
    it('retrieves by the gateway id with the latest charge, and maps the running amounts', async () => {
      const hold = await authorized({ amountMinor: 5000 });
      await gateway.capture({
        gatewayPaymentId: hold.gatewayPaymentId,
        amountMinor: 4000,
        currency: 'EUR',
        idempotencyKey: randomUUID(),
      });
      await gateway.refund({
        gatewayPaymentId: hold.gatewayPaymentId,
        amountMinor: 700,
        currency: 'EUR',
        reason: 'requested_by_customer',
        idempotencyKey: randomUUID(),
      });
      fake.reset();
      const reference = fake.paymentIntents.find((pi) => pi.id === hold.gatewayPaymentId)!.metadata
        .payment_reference!;
      const view = await gateway.lookup({ reference, gatewayPaymentId: hold.gatewayPaymentId });

      const sent = only(fake.requests);
      expect(`${sent.method} ${sent.path}`).to.equal(`GET /v1/payment_intents/${hold.gatewayPaymentId}`);
      expect(sent.query.getAll('expand[0]')).to.deep.equal(['latest_charge']);
      // Stripe counts the released 1000 of the partial capture as refunded on the charge; the view does not.
      expect(view).to.deep.include({
        gatewayPaymentId: hold.gatewayPaymentId,
        reference,
        status: 'captured',
        currency: 'EUR',
        authorizedMinor: 5000,
        capturedMinor: 4000,
        refundedMinor: 700,
      });
    });

    it('shows an authorisation, and a voided one, with nothing captured or refunded', async () => {
      const reference = randomUUID();
      const hold = await authorized({ reference });
      expect(await gateway.lookup({ reference, gatewayPaymentId: hold.gatewayPaymentId })).to.deep.include({
        status: 'authorized',
        authorizedMinor: 1999,
        capturedMinor: 0,
        refundedMinor: 0,
      });

      await gateway.void({ gatewayPaymentId: hold.gatewayPaymentId, idempotencyKey: randomUUID() });
      expect(await gateway.lookup({ reference, gatewayPaymentId: hold.gatewayPaymentId })).to.deep.include({
        status: 'voided',
        authorizedMinor: 1999,
        capturedMinor: 0,
        refundedMinor: 0,
      });
    });

    it('searches by our reference when the gateway id is unknown, preferring the attempt that holds money', async () => {
      const reference = randomUUID();
      const declined = await gateway.authorize(
        authorization({ reference, paymentToken: 'pm_card_chargeDeclinedInsufficientFunds' }),
      );
      expect(declined.outcome).to.equal('declined');
      const hold = await authorized({ reference });
      const view = await gateway.lookup({ reference });

      const sent = only(fake.requests);
      expect(`${sent.method} ${sent.path}`).to.equal('GET /v1/payment_intents/search');
      expect(sent.query.get('query')).to.equal(`metadata['payment_reference']:'${reference}'`);
      expect(sent.query.get('expand[0]')).to.equal('data.latest_charge');
      expect(view).to.deep.include({ gatewayPaymentId: hold.gatewayPaymentId, status: 'authorized' });
    });

    it('shows a declined attempt as declined, with nothing authorised', async () => {
      const reference = randomUUID();
      await gateway.authorize(authorization({ reference, paymentToken: 'pm_card_chargeDeclined' }));

      expect(await gateway.lookup({ reference })).to.deep.include({ status: 'declined', authorizedMinor: 0 });
    });

    it('quotes the reference in the search query', async () => {
      const reference = "it's \\ odd";
      const hold = await authorized({ reference });

      expect(await gateway.lookup({ reference })).to.deep.include({
        gatewayPaymentId: hold.gatewayPaymentId,
      });
      expect(fake.requests[0]!.query.get('query')).to.equal(
        `metadata['payment_reference']:'it\\'s \\\\ odd'`,
      );
    });

    it('answers null when Stripe has never heard of the payment, by reference or by id', async () => {
      expect(await gateway.lookup({ reference: randomUUID() })).to.equal(null);
      expect(await gateway.lookup({ reference: randomUUID(), gatewayPaymentId: 'pi_unknown' })).to.equal(
        null,
      );
    });

    it('throws, never answers null, when Stripe cannot be asked', async () => {
      fake.failWith({ status: 503, body: { error: { type: 'api_error', message: 'Service unavailable' } } });
      let thrown: unknown;
      try {
        await gateway.lookup({ reference: randomUUID() });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(Error);
      expect((thrown as Error).message).to.contain('Service unavailable');
    });
  });

  describe('currencies whose minor unit differs at Stripe', () => {
    const amounts: [string, number, string][] = [
      ['JPY', 500, '500'],
      ['KRW', 15000, '15000'],
      ['ISK', 5, '500'],
      ['UGX', 3800, '380000'],
      ['HUF', 1050, '1050'],
      ['TWD', 12345, '12345'],
      ['MGA', 150000, '1500'],
      ['KWD', 5120, '5120'],
    ];
    for (const [currency, amountMinor, sent] of amounts) {
      it(`sends ${amountMinor} minor units of ${currency} as amount=${sent} and reads it back`, async () => {
        const reference = randomUUID();
        const result = succeeded(
          await gateway.authorize(authorization({ reference, amountMinor, currency })),
        );

        expect(fake.requests[0]!.form.get('amount')).to.equal(sent);
        expect(fake.requests[0]!.form.get('currency')).to.equal(currency.toLowerCase());
        expect(result.amountMinor).to.equal(amountMinor);
        expect(
          await gateway.lookup({ reference, gatewayPaymentId: result.gatewayPaymentId }),
        ).to.deep.include({
          currency,
          authorizedMinor: amountMinor,
        });
      });
    }

    it('converts captures and refunds too (ISK)', async () => {
      const hold = await authorized({ amountMinor: 10, currency: 'ISK' });
      const capture = succeeded(
        await gateway.capture({
          gatewayPaymentId: hold.gatewayPaymentId,
          amountMinor: 7,
          currency: 'ISK',
          idempotencyKey: randomUUID(),
        }),
      );
      const refund = succeeded(
        await gateway.refund({
          gatewayPaymentId: hold.gatewayPaymentId,
          amountMinor: 2,
          currency: 'ISK',
          reason: 'requested_by_customer',
          idempotencyKey: randomUUID(),
        }),
      );

      expect(
        fake.requests.map((sent) => sent.form.get('amount_to_capture') ?? sent.form.get('amount')),
      ).to.deep.equal(['700', '200']);
      expect([capture.amountMinor, refund.amountMinor]).to.deep.equal([7, 2]);
    });

    const unsendable: [string, number, RegExp][] = [
      ['MGA', 150050, /whole number/],
      ['KWD', 5124, /multiples of 10/],
      ['XTS', 100, /not an ISO 4217 currency/],
    ];
    for (const [currency, amountMinor, problem] of unsendable) {
      it(`refuses ${amountMinor} minor units of ${currency} without sending anything`, async () => {
        const result = await gateway.authorize(authorization({ amountMinor, currency }));

        expect(result).to.deep.include({ outcome: 'declined', declineCode: 'invalid_request' });
        expect(result).to.have.property('message').that.matches(problem);
        expect(fake.requests).to.deep.equal([]);
      });
    }
  });

  describe('webhooks', () => {
    function eventBody(type: string, object: Record<string, unknown>): string {
      return JSON.stringify({
        id: `evt_${randomUUID().replace(/-/g, '')}`,
        object: 'event',
        api_version: Stripe.API_VERSION,
        created: 1_800_000_000,
        type,
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        data: { object },
      });
    }
    const signed = (payload: string, options: { secret?: string; timestamp?: number } = {}) =>
      Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: options.secret ?? WEBHOOK_SECRET,
        ...options,
      });
    const bytes = (text: string) => new TextEncoder().encode(text);

    const intent = (fields: Record<string, unknown>) => ({
      id: 'pi_webhook',
      object: 'payment_intent',
      amount: 5000,
      amount_capturable: 0,
      amount_received: 0,
      currency: 'eur',
      metadata: { payment_reference: 'payment-1' },
      ...fields,
    });
    const charge = (fields: Record<string, unknown>) => ({
      id: 'ch_webhook',
      object: 'charge',
      amount: 5000,
      amount_captured: 5000,
      amount_refunded: 0,
      currency: 'eur',
      payment_intent: 'pi_webhook',
      metadata: { payment_reference: 'payment-1' },
      ...fields,
    });
    const refund = (fields: Record<string, unknown>) => ({
      id: 're_webhook',
      object: 'refund',
      amount: 700,
      currency: 'eur',
      payment_intent: 'pi_webhook',
      metadata: {},
      ...fields,
    });

    const cases: [string, string, Record<string, unknown>, Record<string, unknown>][] = [
      [
        'payment_intent.amount_capturable_updated',
        'payment.authorized',
        intent({ status: 'requires_capture', amount_capturable: 5000 }),
        { reference: 'payment-1', amountMinor: 5000 },
      ],
      [
        'payment_intent.succeeded',
        'payment.captured',
        intent({ status: 'succeeded', amount_received: 4000 }),
        { reference: 'payment-1', amountMinor: 4000 },
      ],
      ['payment_intent.canceled', 'payment.voided', intent({ status: 'canceled' }), { amountMinor: 5000 }],
      [
        'payment_intent.payment_failed',
        'payment.failed',
        intent({ status: 'requires_payment_method' }),
        { reference: 'payment-1', amountMinor: 5000 },
      ],
      [
        'charge.refunded',
        'refund.succeeded',
        charge({ amount_captured: 4000, amount_refunded: 1700 }),
        { reference: 'payment-1', amountMinor: null },
      ],
      [
        'charge.refunded',
        'other',
        charge({ amount_captured: 0, amount_refunded: 5000 }),
        { amountMinor: null },
      ],
      [
        'refund.updated',
        'refund.succeeded',
        refund({ status: 'succeeded' }),
        { reference: null, amountMinor: 700 },
      ],
      ['refund.updated', 'other', refund({ status: 'pending' }), { amountMinor: 700 }],
      ['refund.failed', 'refund.failed', refund({ status: 'failed' }), { amountMinor: 700 }],
      [
        'payment_intent.created',
        'other',
        intent({ status: 'requires_payment_method' }),
        { reference: 'payment-1', amountMinor: null },
      ],
    ];
    const described = (gatewayType: string, object: Record<string, unknown>): string => {
      if (gatewayType !== 'charge.refunded') return `${gatewayType} (${String(object.status)})`;
      return object.amount_captured === 0
        ? 'charge.refunded releasing a voided hold'
        : 'charge.refunded for a refund';
    };
    for (const [gatewayType, type, object, expected] of cases) {
      it(`verifies ${described(gatewayType, object)} and maps it to ${type}`, () => {
        const payload = eventBody(gatewayType, object);
        const event = gateway.verifyWebhook(bytes(payload), signed(payload));

        expect(event).to.deep.include({ type, gatewayType, gatewayPaymentId: 'pi_webhook', ...expected });
        expect(event.eventId).to.equal(JSON.parse(payload).id);
        expect(event.occurredAt.toISOString()).to.equal(new Date(1_800_000_000_000).toISOString());
        expect(event.raw).to.deep.equal(JSON.parse(payload));
      });
    }

    it('converts event amounts of currencies Stripe counts differently (ISK)', () => {
      const payload = eventBody(
        'payment_intent.succeeded',
        intent({ currency: 'isk', amount_received: 700 }),
      );

      expect(gateway.verifyWebhook(bytes(payload), signed(payload)).amountMinor).to.equal(7);
    });

    const payload = eventBody(
      'payment_intent.succeeded',
      intent({ status: 'succeeded', amount_received: 5000 }),
    );
    const refusals: [string, () => [string, string]][] = [
      ['signed with another secret', () => [payload, signed(payload, { secret: 'whsec_someone_else' })]],
      ['with a body changed after signing', () => [payload.replace('5000', '9000'), signed(payload)]],
      [
        'signed more than 300 s ago',
        () => [payload, signed(payload, { timestamp: Math.floor(Date.now() / 1000) - 301 })],
      ],
      ['without a signature header', () => [payload, '']],
      ['with a malformed signature header', () => [payload, 'not-a-stripe-signature']],
      ['whose signed body is not JSON', () => ['{"id": "evt_1", ', signed('{"id": "evt_1", ')]],
      ['whose signed body is not an event', () => ['{"hello":"world"}', signed('{"hello":"world"}')]],
      ['whose signed body is JSON null', () => ['null', signed('null')]],
    ];
    for (const [what, make] of refusals) {
      it(`refuses a webhook ${what} with WebhookSignatureError`, () => {
        const [body, header] = make();
        expect(() => gateway.verifyWebhook(bytes(body), header)).to.throw(WebhookSignatureError);
      });
    }
  });
});
