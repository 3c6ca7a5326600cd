import { PaymentMethodType, PaymentServiceClient } from '../../../gen/ecommerce/payment/v1/payment.js';
import { grpcAddressOf, type Env } from '../../../lib/config/index.js';
import { breakerOptionsFrom, createClient } from '../../../lib/grpc/index.js';
import type { PaymentVault } from './domain/payment-vault.js';

/** This service's own access token (role `service`): the vault RPCs are internal. */
export interface ServiceToken {
  token(): Promise<string>;
}

/**
 * The vault as the payment service keeps it, through the breaker-guarded client: a payment service
 * that is down answers UNAVAILABLE (at once while the breaker is open), and the wallet writes
 * nothing. Both RPCs are IDEMPOTENT in the contract, so the client retries transient failures.
 */
export function paymentServiceVault(env: Env, serviceToken: ServiceToken): PaymentVault & { close(): void } {
  const client = createClient(PaymentServiceClient, {
    target: 'payment',
    address: grpcAddressOf('payment', env),
    breaker: breakerOptionsFrom(env),
  });
  return {
    async vault(card) {
      const { paymentMethod } = await client.vaultPaymentMethod(
        { ...card, type: PaymentMethodType.PAYMENT_METHOD_TYPE_CARD },
        { authorization: await serviceToken.token() },
      );
      if (!paymentMethod) throw new Error('payment service answered VaultPaymentMethod without a method');
      return paymentMethod.id;
    },
    async remove(userId, paymentMethodRef) {
      await client.deleteVaultedPaymentMethod(
        { userId, paymentMethodId: paymentMethodRef },
        { authorization: await serviceToken.token() },
      );
    },
    close: () => client.close(),
  };
}
