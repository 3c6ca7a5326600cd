import type { EntityManager } from '@mikro-orm/postgresql';
import {
  OrderStatus as WireStatus,
  type Order as OrderMessage,
  type OrderNote as NoteMessage,
} from '../../../../gen/ecommerce/order/v1/order.js';
import { executePrepared } from '../../../../lib/db/prepared-statement.js';
import { notFound } from '../../../../lib/errors.js';
import { addressMessageOf, type StoredPostalFields } from '../../../../lib/validation/index.js';
import type { OrderNote } from '../entities/index.js';
import type { OrderStatus } from '../entities/order.js';

/**
 * Who reads an order, as far as the view is concerned: a `customer` (the order's own, signed in or
 * a guest) sees only the notes meant for them; `staff` (admins, platform services) sees them all.
 */
export type OrderReader = 'customer' | 'staff';

const WIRE_STATUS: Record<OrderStatus, WireStatus> = {
  pending: WireStatus.ORDER_STATUS_PENDING,
  confirmed: WireStatus.ORDER_STATUS_CONFIRMED,
  processing: WireStatus.ORDER_STATUS_PROCESSING,
  shipped: WireStatus.ORDER_STATUS_SHIPPED,
  delivered: WireStatus.ORDER_STATUS_DELIVERED,
  cancelled: WireStatus.ORDER_STATUS_CANCELLED,
  partially_refunded: WireStatus.ORDER_STATUS_PARTIALLY_REFUNDED,
  refunded: WireStatus.ORDER_STATUS_REFUNDED,
};

export function wireStatusOf(status: OrderStatus): WireStatus {
  return WIRE_STATUS[status] ?? WireStatus.ORDER_STATUS_UNSPECIFIED;
}

/** The stored status of a contract status (undefined for UNSPECIFIED or an unknown value). */
export function storedStatusOf(status: WireStatus): OrderStatus | undefined {
  return (Object.keys(WIRE_STATUS) as OrderStatus[]).find((stored) => WIRE_STATUS[stored] === status);
}

export function noteMessage(note: OrderNote): NoteMessage {
  return {
    id: note.id,
    note: note.note,
    internal: note.isInternal,
    createdBy: note.createdBy,
    createdAt: note.createdAt,
  };
}

/*
 * Orders as their views show them, in one statement whatever their number: each order's row with
 * its lines, address, history and notes aggregated beside it (each on its order_id index), money
 * in minor units. Prepared once per connection: every GetOrder, list page and PlaceOrder answers
 * with it.
 */
const ORDER_VIEWS_SQL = `
  SELECT o.id, o.order_number, o.status, o.user_id, o.guest_email, o.cart_id, o.currency,
    (o.subtotal * 100)::bigint AS subtotal, (o.discount_amount * 100)::bigint AS discount_total,
    (o.shipping_amount * 100)::bigint AS shipping_total, (o.tax_amount * 100)::bigint AS tax_total,
    (o.total_amount * 100)::bigint AS grand_total, o.coupon_code, o.shipping_method_id, o.shipping_method_name,
    o.payment_id, o.cancellation_reason, o.created_at, o.confirmed_at, o.cancelled_at, o.prices_include_tax,
    (SELECT coalesce(json_agg(json_build_object(
        'id', i.id, 'productId', i.product_id, 'variantId', i.variant_id, 'productName', i.product_name,
        'sku', i.product_sku, 'quantity', i.quantity, 'unitPrice', (i.unit_price * 100)::bigint,
        'discount', (i.discount_amount * 100)::bigint, 'tax', (i.tax_amount * 100)::bigint,
        'total', (i.total_price * 100)::bigint) ORDER BY i.created_at, i.id), '[]')
       FROM order_items i WHERE i.order_id = o.id) AS lines,
    (SELECT json_build_object(
        'firstName', a.first_name, 'lastName', a.last_name, 'company', a.company, 'line1', a.line1,
        'line2', a.line2, 'city', a.city, 'state', a.state, 'postalCode', a.postal_code, 'country', a.country,
        'phone', a.phone)
       FROM shipping_addresses a WHERE a.order_id = o.id LIMIT 1) AS address,
    (SELECT coalesce(json_agg(json_build_object(
        'status', h.status, 'previousStatus', h.previous_status, 'changedBy', h.changed_by, 'reason', h.reason,
        'at', h.created_at) ORDER BY h.created_at, h.id), '[]')
       FROM order_status_history h WHERE h.order_id = o.id) AS history,
    (SELECT coalesce(json_agg(json_build_object(
        'id', n.id, 'note', n.note, 'internal', n.is_internal, 'createdBy', n.created_by, 'createdAt', n.created_at)
        ORDER BY n.created_at, n.id), '[]')
       FROM order_notes n WHERE n.order_id = o.id AND (:staff OR NOT n.is_internal)) AS notes
  FROM orders o WHERE o.id = ANY(:ids::uuid[])`;

interface ViewRow {
  id: string;
  order_number: string;
  status: OrderStatus;
  user_id: string | null;
  guest_email: string | null;
  cart_id: string | null;
  currency: string;
  subtotal: string;
  discount_total: string;
  shipping_total: string;
  tax_total: string;
  grand_total: string;
  coupon_code: string | null;
  shipping_method_id: string | null;
  shipping_method_name: string | null;
  payment_id: string | null;
  cancellation_reason: string | null;
  created_at: Date;
  confirmed_at: Date | null;
  cancelled_at: Date | null;
  prices_include_tax: boolean;
  lines: {
    id: string;
    productId: string;
    variantId: string;
    productName: string;
    sku: string;
    quantity: number;
    unitPrice: number;
    discount: number;
    tax: number;
    total: number;
  }[];
  address: StoredPostalFields | null;
  history: {
    status: OrderStatus;
    previousStatus: OrderStatus | null;
    changedBy: string;
    reason: string | null;
    at: string;
  }[];
  notes: { id: string; note: string; internal: boolean; createdBy: string; createdAt: string }[];
}

/** One order as its reader may see it: lines, amounts, address, history and notes; undefined when there is none. */
export async function orderView(
  em: EntityManager,
  orderId: string,
  reader: OrderReader,
): Promise<OrderMessage | undefined> {
  const [view] = await orderViews(em, [orderId], reader);
  return view;
}

/** `orderView` of an order known to exist (NOT_FOUND otherwise). */
export async function existingOrderView(
  em: EntityManager,
  orderId: string,
  reader: OrderReader,
): Promise<OrderMessage> {
  const view = await orderView(em, orderId, reader);
  if (!view) throw notFound('order', orderId);
  return view;
}

/** Several orders as `orderView` shows each, in the order given (an id without an order is left out). */
export async function orderViews(
  em: EntityManager,
  orderIds: readonly string[],
  reader: OrderReader,
): Promise<OrderMessage[]> {
  if (orderIds.length === 0) return [];
  const rows = await executePrepared<ViewRow>(em, 'order:views', ORDER_VIEWS_SQL, {
    ids: [...orderIds],
    staff: reader === 'staff',
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return orderIds.flatMap((id) => {
    const row = byId.get(id);
    return row ? [messageOf(row)] : [];
  });
}

function messageOf(row: ViewRow): OrderMessage {
  const currencyCode = row.currency;
  const money = (amountMinor: number | string) => ({ currencyCode, amountMinor: Number(amountMinor) });
  return {
    id: row.id,
    orderNumber: row.order_number,
    status: wireStatusOf(row.status),
    userId: row.user_id ?? '',
    guestEmail: row.guest_email ?? '',
    cartId: row.cart_id ?? '',
    lines: row.lines.map((line) => ({
      id: line.id,
      productId: line.productId,
      variantId: line.variantId,
      productName: line.productName,
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: money(line.unitPrice),
      discount: money(line.discount),
      tax: money(line.tax),
      // With tax-inclusive prices the tax is already inside the line's price.
      total: money(row.prices_include_tax ? line.total : line.total + line.tax),
    })),
    subtotal: money(row.subtotal),
    discountTotal: money(row.discount_total),
    shippingTotal: money(row.shipping_total),
    taxTotal: money(row.tax_total),
    grandTotal: money(row.grand_total),
    couponCode: row.coupon_code ?? '',
    shippingAddress: row.address ? addressMessageOf(row.address) : undefined,
    shippingMethodId: row.shipping_method_id ?? '',
    shippingMethodName: row.shipping_method_name ?? '',
    paymentId: row.payment_id ?? '',
    cancellationReason: row.status === 'cancelled' ? (row.cancellation_reason ?? '') : '',
    history: row.history.map((change) => ({
      status: wireStatusOf(change.status),
      previousStatus: change.previousStatus
        ? wireStatusOf(change.previousStatus)
        : WireStatus.ORDER_STATUS_UNSPECIFIED,
      changedBy: change.changedBy,
      reason: change.reason ?? '',
      changedAt: new Date(change.at),
    })),
    notes: row.notes.map((note) => ({
      id: note.id,
      note: note.note,
      internal: note.internal,
      createdBy: note.createdBy,
      createdAt: new Date(note.createdAt),
    })),
    createdAt: new Date(row.created_at),
    confirmedAt: row.confirmed_at ? new Date(row.confirmed_at) : undefined,
    cancelledAt: row.status === 'cancelled' && row.cancelled_at ? new Date(row.cancelled_at) : undefined,
    pricesIncludeTax: row.prices_include_tax,
  };
}
