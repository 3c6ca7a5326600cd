import { PaymentServiceService } from '../../../gen/ecommerce/payment/v1/payment.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { paymentDatabase } from './database.js';
import { paymentHandlers } from './handlers.js';
import { SecretCipher } from '../../../lib/crypto/index.js';
import { loadVaultKeys } from './vault/vault-keys.js';

/** The payment service: so far the vault of saved payment methods; payments arrive with their issue. */
export const paymentModule: ServiceModule = {
  name: 'payment',
  database: paymentDatabase,
  async create({ config, env, orm, verifier, logger }) {
    const cipher = new SecretCipher(await loadVaultKeys(config, env, logger));
    return {
      grpc: [
        {
          name: 'ecommerce.payment.v1.PaymentService',
          definition: PaymentServiceService,
          implementation: implementService(PaymentServiceService, paymentHandlers(orm, cipher), {
            verifier,
            logger,
          }),
        },
      ],
    };
  },
};
