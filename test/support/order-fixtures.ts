import type { MikroORM } from '../../lib/db/index.js';
import { newId } from '../../lib/ids.js';
import {
  Order,
  OrderItem,
  OrderStatusHistory,
  ShippingAddress,
} from '../../services/order/src/entities/index.js';
import type { OrderStatus } from '../../services/order/src/entities/order.js';
import { nextOrderNumber } from '../../services/order/src/domain/order-number.js';

/**
 * Orders as a finished checkout leaves them, written straight through the order service's entities
 * (for tests of the order reads and fulfilment while PlaceOrder does not exist; once it does, tests
 * may place their orders through it instead). Each order is confirmed with its history
 * (pending → confirmed, then along the fulfilment to `status`), lines, address and amounts that
 * reconcile: subtotal − discount + shipping + tax = total.
 */
export interface OrderLineSpec {
  unitPrice: number;
  quantity: number;
  discount?: number;
  tax?: number;
  productId?: string;
  variantId?: string;
}

export interface OrderSpec {
  /** The customer; omit it (and give guestEmail) for a guest order. */
  userId?: string;
  guestEmail?: string;
  /** Where the order stands: any status reached by confirmed and the fulfilment, or cancelled. */
  status?: Extract<OrderStatus, 'confirmed' | 'processing' | 'shipped' | 'delivered' | 'cancelled'>;
  lines?: OrderLineSpec[];
  shipping?: number;
  currency?: string;
  /** When it was created (tests of listing order and ties); a minute ago when omitted. */
  createdAt?: Date;
  cartId?: string;
}

export interface InsertedOrder {
  id: string;
  orderNumber: string;
  userId: string | null;
  guestEmail: string | null;
  cartId: string;
  totalMinor: number;
  createdAt: Date;
  lineIds: string[];
}

const FULFILMENT: OrderStatus[] = ['confirmed', 'processing', 'shipped', 'delivered'];
const DEFAULT_LINES: OrderLineSpec[] = [
  { unitPrice: 1999, quantity: 2, discount: 200, tax: 760 },
  { unitPrice: 500, quantity: 1, tax: 100 },
];

export async function insertOrder(orm: MikroORM, spec: OrderSpec = {}): Promise<InsertedOrder> {
  const em = orm.em.fork();
  const status = spec.status ?? 'confirmed';
  const lines = spec.lines ?? DEFAULT_LINES;
  const currency = spec.currency ?? 'EUR';
  const shipping = spec.shipping ?? 499;
  // A minute ago by default, so that its history (a second a step) is in the past too.
  const createdAt = spec.createdAt ?? new Date(Date.now() - 60_000);
  const userId = spec.userId ?? null;
  const guestEmail = userId ? null : (spec.guestEmail ?? `guest-${newId()}@example.com`);
  const cartId = spec.cartId ?? newId();
  const subtotal = lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
  const discount = lines.reduce((sum, line) => sum + (line.discount ?? 0), 0);
  const tax = lines.reduce((sum, line) => sum + (line.tax ?? 0), 0);
  const total = subtotal - discount + shipping + tax;
  const at = (step: number) => new Date(createdAt.getTime() + step * 1000);

  return em.transactional(async (tx) => {
    const orderNumber = await nextOrderNumber(tx);
    const path =
      status === 'cancelled'
        ? ['confirmed', 'cancelled']
        : FULFILMENT.slice(0, FULFILMENT.indexOf(status) + 1);
    const reached = (s: OrderStatus) => path.includes(s);
    const order = tx.create(Order, {
      orderNumber,
      userId,
      guestEmail,
      cartId,
      status,
      paymentStatus: 'paid',
      subtotal,
      discountAmount: discount,
      shippingAmount: shipping,
      taxAmount: tax,
      totalAmount: total,
      currency,
      paymentId: newId(),
      shippingMethodId: newId(),
      shippingMethodName: 'Standard',
      idempotencyScope: userId ? `user:${userId}` : `guest:session-${newId()}`,
      idempotencyKey: `fixture-${newId()}`,
      requestHash: 'fixture',
      confirmedAt: at(1),
      shippedAt: reached('shipped') ? at(3) : null,
      deliveredAt: reached('delivered') ? at(4) : null,
      cancelledAt: status === 'cancelled' ? at(2) : null,
      cancellationReason: status === 'cancelled' ? 'changed my mind' : null,
      createdAt,
    });
    const lineIds = lines.map((line) => {
      const item = tx.create(OrderItem, {
        order,
        productId: line.productId ?? newId(),
        variantId: line.variantId ?? newId(),
        productName: 'Plain tee',
        productSku: `TEE-${newId().slice(-6)}`,
        unitPrice: line.unitPrice,
        quantity: line.quantity,
        discountAmount: line.discount ?? 0,
        taxAmount: line.tax ?? 0,
        totalPrice: line.unitPrice * line.quantity - (line.discount ?? 0),
        currency,
      });
      return item.id;
    });
    tx.create(ShippingAddress, {
      order,
      name: 'Ada Lovelace',
      firstName: 'Ada',
      lastName: 'Lovelace',
      line1: '1 Main St',
      city: 'London',
      postalCode: 'N1 9GU',
      country: 'GB',
    });
    let previous: OrderStatus | null = null;
    for (const [step, reachedStatus] of (['pending', ...path] as OrderStatus[]).entries()) {
      tx.create(OrderStatusHistory, {
        order,
        status: reachedStatus,
        previousStatus: previous,
        changedBy: 'system',
        reason: step === 0 ? 'checkout started' : null,
        createdAt: at(step),
      });
      previous = reachedStatus;
    }
    return { id: order.id, orderNumber, userId, guestEmail, cartId, totalMinor: total, createdAt, lineIds };
  });
}
