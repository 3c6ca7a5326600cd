import type { MikroORM } from '@mikro-orm/postgresql';
import { PaymentServiceService } from '../../../gen/ecommerce/payment/v1/payment.js';
import { allow } from '../../../lib/auth/access-rule.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import type { SecretCipher } from '../../../lib/crypto/index.js';
import { deleteVaultedPaymentMethod, vaultPaymentMethod } from './vault/vault.js';
import { vaultInputFrom } from './vault/vault-input.js';

export function paymentHandlers(
  orm: MikroORM,
  cipher: SecretCipher,
): ServiceHandlers<typeof PaymentServiceService> {
  return {
    // Only the platform's services: the user service vaults on the customer's behalf, having
    // checked who the customer is; a customer token must not vault for an arbitrary user_id.
    vaultPaymentMethod: {
      access: allow.internal(),
      handle: async (request) => ({
        paymentMethod: await vaultPaymentMethod(orm.em.fork(), cipher, vaultInputFrom(request)),
      }),
    },
    deleteVaultedPaymentMethod: {
      access: allow.internal(),
      handle: async (request) => ({
        deleted: await deleteVaultedPaymentMethod(orm.em.fork(), request.userId, request.paymentMethodId),
      }),
    },
  };
}
