import { randomUUID } from 'node:crypto';
import { AuthServiceClient } from '../../../gen/ecommerce/auth/v1/auth.js';
import { OrderConfirmed } from '../../../gen/ecommerce/order/v1/events.js';
import {
  PaymentServiceClient,
  type AuthorizePaymentRequest,
} from '../../../gen/ecommerce/payment/v1/payment.js';
import { OrderConfirmedEvent } from '../../../lib/events/catalog.js';
import { encodeEnvelope } from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { plainClient } from '../../../test/support/clients.js';
import type { TestMesh } from '../../../test/support/mesh.js';
import { uniqueEmail } from '../../../test/support/unique.js';

export type PaymentClient = ReturnType<typeof plainClient<typeof PaymentServiceClient.service>>;

export function paymentClient(mesh: TestMesh): PaymentClient {
  return plainClient(PaymentServiceClient, mesh.address('payment'));
}

export const newKey = (): string => `key-${randomUUID()}`;

export function authorizeRequest(overrides: Partial<AuthorizePaymentRequest> = {}): AuthorizePaymentRequest {
  return {
    orderId: newId(),
    userId: newId(),
    guestEmail: '',
    amount: { currencyCode: 'EUR', amountMinor: 10_000 },
    paymentMethodId: '',
    paymentToken: 'pm_card_visa',
    idempotencyKey: newKey(),
    capture: false,
    ...overrides,
  };
}

/** A registered customer's id and access token. */
export async function customerOf(mesh: TestMesh, tag: string): Promise<{ userId: string; token: string }> {
  const auth = plainClient(AuthServiceClient, mesh.address('auth'));
  try {
    const email = uniqueEmail(tag);
    const password = 'payments-are-serious-42';
    const { userId } = await auth.register({ email, password, firstName: 'Pay', lastName: 'Er' });
    const { accessToken } = await auth.login({ email, password });
    return { userId, token: accessToken };
  } finally {
    auth.close();
  }
}

/** Publishes order.order.confirmed on the mesh's event bus, as the order service will. */
export async function publishOrderConfirmed(
  mesh: TestMesh,
  orderId: string,
  paymentId: string,
): Promise<void> {
  if (!mesh.events) throw new Error('publishing needs the mesh’s event transport (an in-process mesh)');
  const id = newId();
  const envelope = encodeEnvelope({
    id,
    type: OrderConfirmedEvent.typeName,
    occurredAt: new Date(),
    source: 'order',
    correlationId: id,
    payload: Buffer.from(
      OrderConfirmedEvent.encode(OrderConfirmed.fromPartial({ orderId, paymentId, confirmedAt: new Date() })),
    ),
    subject: OrderConfirmedEvent.subject,
  });
  await mesh.events.publish(OrderConfirmedEvent.subject, envelope, id);
}
