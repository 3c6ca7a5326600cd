import { expect } from 'chai';
import { ConfigError, type Env } from '../../../lib/config/index.js';
import { paymentProviderFrom } from '../src/providers/provider-from-settings.js';
import { StripeGateway } from '../src/providers/stripe-gateway.js';
import { stripeSettingsFrom } from '../src/providers/stripe-settings.js';
import { TestGateway } from '../src/providers/test-gateway.js';
import { paymentSettingsFrom } from '../src/settings.js';

const REQUIRED: Env = { STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' };

function refusal(env: Env): ConfigError {
  try {
    stripeSettingsFrom(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  return expect.fail('expected a ConfigError');
}

describe('payment: Stripe settings', () => {
  it('reads the two secrets and defaults the rest: api.stripe.com, 10 s timeout, 2 retries', () => {
    expect(stripeSettingsFrom(REQUIRED)).to.deep.equal({
      secretKey: 'sk_live_abc',
      webhookSecret: 'whsec_abc',
      timeoutMs: 10_000,
      maxNetworkRetries: 2,
    });
  });

  it('takes a restricted key, a local API address, a timeout and a retry count', () => {
    const settings = stripeSettingsFrom({
      STRIPE_SECRET_KEY: 'rk_test_abc',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      STRIPE_API_URL: 'http://127.0.0.1:12111',
      STRIPE_TIMEOUT_MS: '2500',
      STRIPE_MAX_NETWORK_RETRIES: '0',
    });

    expect(settings).to.deep.include({ secretKey: 'rk_test_abc', timeoutMs: 2500, maxNetworkRetries: 0 });
    expect(settings.api).to.deep.equal({ protocol: 'http', host: '127.0.0.1', port: 12111 });
    expect(
      stripeSettingsFrom({ ...REQUIRED, STRIPE_API_URL: 'https://stripe-proxy.internal' }).api,
    ).to.deep.equal({
      protocol: 'https',
      host: 'stripe-proxy.internal',
      port: 443,
    });
  });

  const refused: [string, Env, RegExp][] = [
    [
      'STRIPE_SECRET_KEY',
      { STRIPE_WEBHOOK_SECRET: 'whsec_abc' },
      /is required when the payment provider is stripe/,
    ],
    ['STRIPE_SECRET_KEY', { ...REQUIRED, STRIPE_SECRET_KEY: 'pk_live_abc' }, /must start with sk_ or rk_/],
    ['STRIPE_WEBHOOK_SECRET', { STRIPE_SECRET_KEY: 'sk_live_abc' }, /is required/],
    ['STRIPE_WEBHOOK_SECRET', { ...REQUIRED, STRIPE_WEBHOOK_SECRET: '  ' }, /is required/],
    ['STRIPE_WEBHOOK_SECRET', { ...REQUIRED, STRIPE_WEBHOOK_SECRET: 'secret' }, /must start with whsec_/],
    ['STRIPE_API_URL', { ...REQUIRED, STRIPE_API_URL: 'ftp://host' }, /must use http: or https:/],
    ['STRIPE_API_URL', { ...REQUIRED, STRIPE_API_URL: 'https://host/v1' }, /only a scheme, host and port/],
    ['STRIPE_API_URL', { ...REQUIRED, STRIPE_API_URL: 'not a url' }, /must be a URL/],
    ['STRIPE_TIMEOUT_MS', { ...REQUIRED, STRIPE_TIMEOUT_MS: '10s' }, /whole number/],
    ['STRIPE_TIMEOUT_MS', { ...REQUIRED, STRIPE_TIMEOUT_MS: '50' }, /between 100 and 120000/],
    ['STRIPE_MAX_NETWORK_RETRIES', { ...REQUIRED, STRIPE_MAX_NETWORK_RETRIES: '11' }, /between 0 and 10/],
  ];
  for (const [setting, env, problem] of refused) {
    it(`refuses ${setting}=${JSON.stringify(env[setting] ?? null)} with a ConfigError naming it`, () => {
      const error = refusal(env);
      expect(error.setting).to.equal(setting);
      expect(error.message).to.match(problem);
    });
  }
});

describe('payment: choosing the gateway (PAYMENT_PROVIDER)', () => {
  it('is the test gateway by default, and Stripe with its settings when named', () => {
    expect(paymentProviderFrom(paymentSettingsFrom({}))).to.be.instanceOf(TestGateway);
    const settings = paymentSettingsFrom({ PAYMENT_PROVIDER: 'stripe', ...REQUIRED });
    expect(settings.stripe?.secretKey).to.equal('sk_live_abc');
    expect(paymentProviderFrom(settings)).to.be.instanceOf(StripeGateway);
  });

  it('in production, takes no gateway by default, and the test gateway only on purpose and with a secret of its own', () => {
    const production = { production: true };
    const refusal = (env: Record<string, string>) => {
      try {
        paymentSettingsFrom(env, production);
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('accepted');
    };
    expect(refusal({}).setting).to.equal('PAYMENT_PROVIDER');
    expect(refusal({ PAYMENT_PROVIDER: 'test' }).message).to.contain('PAYMENT_TEST_GATEWAY_IN_PRODUCTION');
    expect(
      refusal({ PAYMENT_PROVIDER: 'test', PAYMENT_TEST_GATEWAY_IN_PRODUCTION: 'true' }).setting,
    ).to.equal('PAYMENT_TEST_WEBHOOK_SECRET');
    const demo = paymentSettingsFrom(
      {
        PAYMENT_PROVIDER: 'test',
        PAYMENT_TEST_GATEWAY_IN_PRODUCTION: 'true',
        PAYMENT_TEST_WEBHOOK_SECRET: 'whsec_a_demo_cluster_secret',
      },
      production,
    );
    expect(demo.provider).to.equal('test');
    expect(paymentSettingsFrom({ PAYMENT_PROVIDER: 'stripe', ...REQUIRED }, production).provider).to.equal(
      'stripe',
    );
  });

  it('refuses Stripe without its secrets, and an unknown gateway, naming the setting', () => {
    expect(() => paymentSettingsFrom({ PAYMENT_PROVIDER: 'stripe' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.contains('STRIPE_SECRET_KEY');
    expect(() => paymentSettingsFrom({ PAYMENT_PROVIDER: 'paypal' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.contains('PAYMENT_PROVIDER');
  });
});
