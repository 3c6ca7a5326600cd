import { PaymentServiceClient } from '../../../../gen/ecommerce/payment/v1/payment.js';
import type { ServiceTokenProvider } from '../../../../lib/auth/service-token-source.js';
import type { Env } from '../../../../lib/config/index.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import type { PaymentRefunds } from '../domain/ports.js';

/** A refund waits on the gateway: a longer budget than a plain read. */
const REFUND_DEADLINE_MS = 10_000;

/** The payment service's RefundPayment, asked as this service (breaker-guarded, service token). */
export function paymentServiceRefunds(
  env: Env,
  serviceToken: ServiceTokenProvider,
): PaymentRefunds & { close(): void } {
  const client = createServiceClient(PaymentServiceClient, 'payment', env, {
    serviceToken,
    defaultDeadlineMs: REFUND_DEADLINE_MS,
  });
  return {
    async refund({ paymentId, amount, reason, returnId, idempotencyKey }) {
      const { refund } = await client.refundPayment({ paymentId, amount, reason, returnId, idempotencyKey });
      if (!refund) throw new Error(`payment service answered RefundPayment(${paymentId}) without a refund`);
      return { paymentRefundId: refund.id };
    },
    close: () => client.close(),
  };
}
