import { ConfigError, readInt, readString, readUrl, type Env } from '../../../../lib/config/index.js';

/** What the Stripe gateway needs, read once at start when the payment provider is `stripe`. */
export interface StripeSettings {
  /** The secret (`sk_…`) or restricted (`rk_…`) API key. */
  secretKey: string;
  /** The signing secret of the webhook endpoint (`whsec_…`). */
  webhookSecret: string;
  /** Where the API is reached instead of api.stripe.com (a local server or a proxy). */
  api?: { protocol: 'http' | 'https'; host: string; port: number };
  /** How long one request may take before its answer counts as lost. */
  timeoutMs: number;
  /** How many times the client retries a request whose answer was lost (same idempotency key). */
  maxNetworkRetries: number;
}

function readRequiredSecret(env: Env, name: string, prefixes: string[], what: string): string {
  const value = readString(env, name);
  if (value === undefined)
    throw new ConfigError(name, `is required when the payment provider is stripe (${what})`);
  if (!prefixes.some((prefix) => value.startsWith(prefix))) {
    throw new ConfigError(name, `must start with ${prefixes.join(' or ')} (${what})`);
  }
  return value;
}

/**
 * STRIPE_SECRET_KEY (required): the API key. STRIPE_WEBHOOK_SECRET (required): the endpoint's
 * signing secret. STRIPE_API_URL (optional): `http(s)://host:port` of a local server or a proxy.
 * STRIPE_TIMEOUT_MS (default 10 000) and STRIPE_MAX_NETWORK_RETRIES (default 2).
 */
export function stripeSettingsFrom(env: Env): StripeSettings {
  const settings: StripeSettings = {
    secretKey: readRequiredSecret(env, 'STRIPE_SECRET_KEY', ['sk_', 'rk_'], 'a secret or restricted API key'),
    webhookSecret: readRequiredSecret(
      env,
      'STRIPE_WEBHOOK_SECRET',
      ['whsec_'],
      "the webhook endpoint's signing secret",
    ),
    timeoutMs: readInt(env, 'STRIPE_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
    maxNetworkRetries: readInt(env, 'STRIPE_MAX_NETWORK_RETRIES', 2, { min: 0, max: 10 }),
  };
  const url = readUrl(env, 'STRIPE_API_URL', ['http:', 'https:']);
  if (url) {
    if (url.pathname !== '/' || url.search || url.username || url.password) {
      throw new ConfigError('STRIPE_API_URL', `must be only a scheme, host and port, got "${url.href}"`);
    }
    const protocol = url.protocol === 'http:' ? 'http' : 'https';
    const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
    settings.api = { protocol, host: url.hostname.replace(/^\[|\]$/g, ''), port };
  }
  return settings;
}
