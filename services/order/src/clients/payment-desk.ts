import {
  PaymentServiceClient,
  PaymentStatus,
  type Payment,
} from '../../../../gen/ecommerce/payment/v1/payment.js';
import type { ServiceTokenProvider } from '../../../../lib/auth/service-token-source.js';
import type { Env } from '../../../../lib/config/index.js';
import { unavailable } from '../../../../lib/errors.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import { CHECKOUT_CALL_DEADLINE_MS } from '../domain/checkout/checkout-ports.js';
import { money } from '../../../../lib/money.js';
import type { PaymentPort } from '../domain/checkout/checkout-ports.js';

/** An order has one payment per attempt; this bounds the read of them when giving money back. */
const MAX_PAYMENTS_PER_ORDER = 100;

/** The payment service's authorisation, capture and giving back, asked as this service. */
export function paymentServiceDesk(
  env: Env,
  serviceToken: ServiceTokenProvider,
): PaymentPort & { close(): void } {
  const client = createServiceClient(PaymentServiceClient, 'payment', env, {
    serviceToken,
    defaultDeadlineMs: CHECKOUT_CALL_DEADLINE_MS,
  });

  /** Voids an authorisation, refunds what was captured and not refunded yet; keys derived from the payment. */
  async function giveBack(payment: Payment, reason: string): Promise<void> {
    switch (payment.status) {
      case PaymentStatus.PAYMENT_STATUS_AUTHORIZED:
        await client.voidPayment({ paymentId: payment.id, idempotencyKey: `${payment.id}-void` });
        return;
      case PaymentStatus.PAYMENT_STATUS_CAPTURED:
      case PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED: {
        const currency = payment.amountCaptured?.currencyCode ?? payment.amount?.currencyCode ?? '';
        const left = (payment.amountCaptured?.amountMinor ?? 0) - (payment.amountRefunded?.amountMinor ?? 0);
        if (left <= 0) return;
        await client.refundPayment({
          paymentId: payment.id,
          amount: money(currency, left),
          reason,
          returnId: '',
          idempotencyKey: `${payment.id}-refund-all`,
        });
        return;
      }
      case PaymentStatus.PAYMENT_STATUS_PENDING:
        // The gateway's answer is not known yet: the payment service finds out (never guessing);
        // until then there is nothing safe to give back, so this is tried again later.
        throw unavailable(`payment ${payment.id} awaits the gateway's answer`);
      default:
        return; // failed, voided, refunded: nothing is held
    }
  }

  return {
    async authorize({ orderId, buyer, amount, source, idempotencyKey, capture }) {
      const { payment } = await client.authorizePayment({
        orderId,
        userId: 'userId' in buyer ? buyer.userId : '',
        guestEmail: 'guestEmail' in buyer ? buyer.guestEmail : '',
        amount,
        paymentMethodId: 'paymentMethodId' in source ? source.paymentMethodId : '',
        paymentToken: 'paymentToken' in source ? source.paymentToken : '',
        idempotencyKey,
        capture,
      });
      if (!payment)
        throw new Error(`payment service answered AuthorizePayment(${orderId}) without a payment`);
      return { paymentId: payment.id, captured: payment.status === PaymentStatus.PAYMENT_STATUS_CAPTURED };
    },
    async capture({ paymentId, amount, idempotencyKey }) {
      await client.capturePayment({ paymentId, amount, idempotencyKey });
    },
    async undo(orderId, reason) {
      const { payments } = await client.listPayments({
        orderId,
        status: PaymentStatus.PAYMENT_STATUS_UNSPECIFIED,
        userId: '',
        page: { pageSize: MAX_PAYMENTS_PER_ORDER, pageToken: '' },
      });
      for (const payment of payments) await giveBack(payment, reason);
    },
    close: () => client.close(),
  };
}
