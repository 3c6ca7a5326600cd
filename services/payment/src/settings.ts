import { ConfigError, readInt, readString, type Env } from '../../../lib/config/index.js';
import { stripeSettingsFrom, type StripeSettings } from './providers/stripe-settings.js';

/** The gateways this service can be configured with. */
export const PAYMENT_PROVIDERS = ['test', 'stripe'] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

/** The test gateway's webhook secret when none is set (development and tests only). */
export const DEV_TEST_WEBHOOK_SECRET = 'whsec_test_gateway_development_secret';

/** The payment service's own settings, read once at start. */
export interface PaymentSettings {
  /** Which gateway moves the money. */
  provider: PaymentProviderName;
  /** The Stripe account's settings, read only when the provider is `stripe`. */
  stripe: StripeSettings | null;
  /** The secret the test gateway signs its webhooks with. */
  testWebhookSecret: string;
  /** How often the reconciler runs (it also runs at start). */
  reconcileIntervalMs: number;
  /** How long a payment may hold money without a confirmed order before it is given back. */
  orphanGraceMs: number;
}

/**
 * PAYMENT_PROVIDER (default `test`, the built-in gateway simulator; `stripe`, with the STRIPE_*
 * settings of providers/stripe-settings.ts), PAYMENT_TEST_WEBHOOK_SECRET (the test gateway's signing secret),
 * PAYMENT_RECONCILE_INTERVAL_SECONDS (default 60), PAYMENT_ORPHAN_GRACE_SECONDS (default 1800).
 */
export function paymentSettingsFrom(env: Env): PaymentSettings {
  const provider = readString(env, 'PAYMENT_PROVIDER', 'test')!;
  if (!(PAYMENT_PROVIDERS as readonly string[]).includes(provider)) {
    throw new ConfigError(
      'PAYMENT_PROVIDER',
      `must be one of ${PAYMENT_PROVIDERS.join(', ')}, got "${provider}"`,
    );
  }
  const testWebhookSecret = readString(env, 'PAYMENT_TEST_WEBHOOK_SECRET', DEV_TEST_WEBHOOK_SECRET)!;
  if (testWebhookSecret.length < 16) {
    throw new ConfigError('PAYMENT_TEST_WEBHOOK_SECRET', 'must be at least 16 characters');
  }
  return {
    provider: provider as PaymentProviderName,
    stripe: provider === 'stripe' ? stripeSettingsFrom(env) : null,
    testWebhookSecret,
    reconcileIntervalMs:
      readInt(env, 'PAYMENT_RECONCILE_INTERVAL_SECONDS', 60, { min: 1, max: 86_400 }) * 1000,
    orphanGraceMs: readInt(env, 'PAYMENT_ORPHAN_GRACE_SECONDS', 1800, { min: 0, max: 30 * 86_400 }) * 1000,
  };
}
