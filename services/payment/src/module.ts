import { PaymentServiceService } from '../../../gen/ecommerce/payment/v1/payment.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { startPaymentConsumers } from './consumers/index.js';
import { paymentDatabase } from './database.js';
import { paymentHandlers } from './handlers.js';
import { startReconciler } from './jobs/reconciler.js';
import { paymentProviderFrom } from './providers/provider-from-settings.js';
import { paymentSettingsFrom } from './settings.js';
import { SecretCipher } from '../../../lib/crypto/index.js';
import { loadVaultKeys } from './vault/vault-keys.js';

/**
 * Payments through the configured gateway (the test simulator by default): authorise, capture,
 * void, refund, the gateway's webhooks, a reconciler for lost answers and orphaned payments, and
 * the vault of saved payment methods. A confirmed order (order.order.confirmed) confirms its payment.
 */
export const paymentModule: ServiceModule = {
  name: 'payment',
  database: paymentDatabase,
  async create(runtime) {
    const { config, env, orm, verifier, logger, dispose } = runtime;
    const settings = paymentSettingsFrom(env, { production: config.production });
    const cipher = new SecretCipher(await loadVaultKeys(config, env, logger));
    const provider = paymentProviderFrom(settings);
    await startPaymentConsumers(runtime);
    const reconciler = startReconciler(orm, provider, settings, logger);
    dispose(reconciler.name, () => reconciler.stop());
    return {
      grpc: [
        {
          name: 'ecommerce.payment.v1.PaymentService',
          definition: PaymentServiceService,
          implementation: implementService(PaymentServiceService, paymentHandlers(orm, cipher, provider), {
            verifier,
            logger,
          }),
        },
      ],
    };
  },
};
