import { ConfigError, readBoolean, readInt, readString, type Env } from '../../../lib/config/index.js';
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
 *
 * In production (NODE_ENV=production) the test gateway, which takes any `pm_card_*` token as money,
 * starts only when PAYMENT_PROVIDER=test is set on purpose together with
 * PAYMENT_TEST_GATEWAY_IN_PRODUCTION=true (a demo or staging cluster that must never take real
 * money), and with a webhook secret of its own.
 */
export function paymentSettingsFrom(
  env: Env,
  { production = false }: { production?: boolean } = {},
): PaymentSettings {
  const provider = readString(env, 'PAYMENT_PROVIDER', production ? undefined : 'test');
  if (provider === undefined) {
    throw new ConfigError(
      'PAYMENT_PROVIDER',
      'is required in production: `stripe` (or `test` for a demo, see PAYMENT_TEST_GATEWAY_IN_PRODUCTION)',
    );
  }
  if (!(PAYMENT_PROVIDERS as readonly string[]).includes(provider)) {
    throw new ConfigError(
      'PAYMENT_PROVIDER',
      `must be one of ${PAYMENT_PROVIDERS.join(', ')}, got "${provider}"`,
    );
  }
  if (production && provider === 'test' && !readBoolean(env, 'PAYMENT_TEST_GATEWAY_IN_PRODUCTION', false)) {
    throw new ConfigError(
      'PAYMENT_PROVIDER',
      'is `test` in production: the test gateway takes made-up cards as money; set PAYMENT_TEST_GATEWAY_IN_PRODUCTION=true only for a cluster that must never take real payments',
    );
  }
  const testWebhookSecret = readString(env, 'PAYMENT_TEST_WEBHOOK_SECRET', DEV_TEST_WEBHOOK_SECRET)!;
  if (testWebhookSecret.length < 16) {
    throw new ConfigError('PAYMENT_TEST_WEBHOOK_SECRET', 'must be at least 16 characters');
  }
  if (production && provider === 'test' && testWebhookSecret === DEV_TEST_WEBHOOK_SECRET) {
    throw new ConfigError('PAYMENT_TEST_WEBHOOK_SECRET', 'is required in production (the default is public)');
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
