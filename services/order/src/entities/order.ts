import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';

export type OrderStatus =
  | 'pending'
  | 'confirmed'
  | 'processing'
  | 'shipped'
  | 'delivered'
  | 'cancelled'
  | 'refunded'
  | 'partially_refunded';
export type OrderPaymentStatus =
  'pending' | 'authorized' | 'paid' | 'failed' | 'refunded' | 'partially_refunded';

/**
 * An order header. Money in minor units of `currency`; the database holds
 * total = subtotal + tax + shipping − discount, and requires `cancelledAt`/`deliveredAt` once the
 * order is cancelled/delivered and `confirmedAt` once it went past pending. A customer's order has
 * `userId`, a guest's `guestEmail`: exactly one of the two. `userId` (auth), `cartId` (cart),
 * `couponCode` (discount), `paymentId` (payment) and `shippingMethodId` (shipping) are
 * cross-service references: indexed, no foreign key. `idempotencyKey` is the client's PlaceOrder
 * key, unique per `idempotencyScope` ('user:<id>' or 'guest:<session id>': a key chosen by one
 * shopper must never return another's order), `requestHash` the request it was first used with.
 * At most one order per cart is not cancelled. `version` is MikroORM's optimistic lock: an update
 * of a stale copy fails instead of overwriting a concurrent change.
 */
export const Order = defineEntity({
  name: 'Order',
  tableName: 'orders',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    orderNumber: p.text(),
    userId: p.uuid().nullable(),
    guestEmail: p.text().nullable(),
    cartId: p.uuid().nullable(),
    status: p.text().$type<OrderStatus>().default('pending'),
    paymentStatus: p.text().$type<OrderPaymentStatus>().default('pending'),
    subtotal: money(),
    taxAmount: money().default(0),
    shippingAmount: money().default(0),
    discountAmount: money().default(0),
    totalAmount: money(),
    currency: p.character().length(3),
    couponCode: p.text().nullable(),
    paymentId: p.uuid().nullable(),
    shippingMethodId: p.uuid().nullable(),
    shippingMethodName: p.text().nullable(),
    trackingNumber: p.text().nullable(),
    estimatedDeliveryDate: p.datetime().nullable(),
    shippedAt: p.datetime().nullable(),
    confirmedAt: p.datetime().nullable(),
    deliveredAt: p.datetime().nullable(),
    cancelledAt: p.datetime().nullable(),
    cancellationReason: p.text().nullable(),
    idempotencyScope: p.text(),
    idempotencyKey: p.text(),
    requestHash: p.text(),
    /** The checkout saga (domain/checkout): the step to run next, 'done' once confirmed or cancelled. */
    checkoutStep: p.text().default('done'),
    checkoutDirection: p.text().$type<'forward' | 'compensating'>().default('forward'),
    checkoutState: p.json<Record<string, unknown>>().onCreate(() => ({})),
    checkoutFailure: p.json<Record<string, unknown>>().nullable(),
    checkoutLeaseOwner: p.text().nullable(),
    checkoutLeaseUntil: p.datetime().nullable(),
    checkoutSuspendedReason: p.text().nullable(),
    pricesIncludeTax: p.boolean().default(false),
    version: p.integer().version(),
    metadata: p.json<Record<string, unknown>>().onCreate(() => ({})),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Order = InferEntity<typeof Order>;
