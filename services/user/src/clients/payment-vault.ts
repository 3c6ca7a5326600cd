import { PaymentMethodType, PaymentServiceClient } from '../../../../gen/ecommerce/payment/v1/payment.js';
import type { ServiceTokenProvider } from '../../../../lib/auth/service-token-source.js';
import type { Env } from '../../../../lib/config/index.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import type { PaymentVault } from '../domain/payment-vault.js';

/**
 * The vault as the payment service keeps it. Its RPCs are internal: calls carry this service's own
 * token (`serviceToken`), never the customer's, through the breaker-guarded client: a payment service
 * that is down answers UNAVAILABLE (at once while the breaker is open), and the wallet writes
 * nothing. Both RPCs are IDEMPOTENT in the contract, so the client retries transient failures.
 */
export function paymentServiceVault(
  env: Env,
  serviceToken: ServiceTokenProvider,
): PaymentVault & { close(): void } {
  const client = createServiceClient(PaymentServiceClient, 'payment', env, { serviceToken });
  return {
    async vault(card) {
      const { paymentMethod } = await client.vaultPaymentMethod({
        ...card,
        type: PaymentMethodType.PAYMENT_METHOD_TYPE_CARD,
      });
      if (!paymentMethod) throw new Error('payment service answered VaultPaymentMethod without a method');
      return paymentMethod.id;
    },
    async remove(userId, paymentMethodRef) {
      await client.deleteVaultedPaymentMethod({ userId, paymentMethodId: paymentMethodRef });
    },
    close: () => client.close(),
  };
}
