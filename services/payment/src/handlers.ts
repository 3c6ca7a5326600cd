import type { MikroORM } from '@mikro-orm/postgresql';
import { PaymentServiceService } from '../../../gen/ecommerce/payment/v1/payment.js';
import { allow } from '../../../lib/auth/access-rule.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import { authorizePaymentAsked } from './domain/authorize-payment.js';
import { capturePayment } from './domain/capture-payment.js';
import { getPayment } from './domain/get-payment.js';
import { listPayments } from './domain/list-payments.js';
import { paymentReaderOf } from './domain/payment-access.js';
import {
  authorizeInputFrom,
  captureInputFrom,
  refundInputFrom,
  voidInputFrom,
} from './domain/payment-input.js';
import { receiveGatewayWebhook } from './domain/receive-webhook.js';
import { refundPayment } from './domain/refund-payment.js';
import { voidPayment } from './domain/void-payment.js';
import type { PaymentProvider } from './providers/payment-provider.js';
import type { SecretCipher } from '../../../lib/crypto/index.js';
import { deleteVaultedPaymentMethod, vaultPaymentMethod } from './vault/vault.js';
import { vaultInputFrom } from './vault/vault-input.js';

export function paymentHandlers(
  orm: MikroORM,
  cipher: SecretCipher,
  provider: PaymentProvider,
): ServiceHandlers<typeof PaymentServiceService> {
  // Money moves only for the platform's services: the order service authorises and captures at
  // checkout, the order and return services refund; no customer token may move money.
  const internal = allow.internal();
  // A customer reads their own payments; admins ('payment:read') and services read any.
  const readers = allow.anyOf(allow.internal(), allow.account());
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
    authorizePayment: {
      access: internal,
      handle: async (request) => {
        const { payment } = await authorizePaymentAsked(
          orm.em.fork(),
          { provider, cipher },
          authorizeInputFrom(request),
        );
        return { payment };
      },
    },
    capturePayment: {
      access: internal,
      handle: async (request) => {
        const { payment } = await capturePayment(orm.em.fork(), provider, captureInputFrom(request));
        return { payment };
      },
    },
    voidPayment: {
      access: internal,
      handle: async (request) => {
        const { payment } = await voidPayment(orm.em.fork(), provider, voidInputFrom(request));
        return { payment };
      },
    },
    refundPayment: {
      access: internal,
      handle: async (request) => {
        const { payment, refund } = await refundPayment(orm.em.fork(), provider, refundInputFrom(request));
        return { payment, refund };
      },
    },
    getPayment: {
      access: readers,
      handle: (request, ctx) => getPayment(orm.em.fork(), paymentReaderOf(ctx.principal), request.paymentId),
    },
    listPayments: {
      access: readers,
      handle: (request, ctx) => listPayments(orm.em.fork(), paymentReaderOf(ctx.principal), request),
    },
    // Public: the BFF forwards the gateway's call as it came; the signature is the authentication.
    receiveGatewayWebhook: {
      access: allow.public(),
      handle: (request) => receiveGatewayWebhook(orm.em.fork(), provider, request),
    },
  };
}
