import type { PaymentSettings } from '../settings.js';
import type { PaymentProvider } from './payment-provider.js';
import { createStripeGateway } from './stripe-gateway.js';
import { TestGateway } from './test-gateway.js';

/** The gateway PAYMENT_PROVIDER names (settings refuse any other). */
export function paymentProviderFrom(settings: PaymentSettings): PaymentProvider {
  switch (settings.provider) {
    case 'test':
      return new TestGateway(settings.testWebhookSecret);
    case 'stripe':
      return createStripeGateway(settings.stripe!);
  }
}
