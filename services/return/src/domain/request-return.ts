import type { EntityManager } from '@mikro-orm/postgresql';
import {
  RefundMethod as WireRefundMethod,
  ReturnReason as WireReason,
  type RequestReturnRequest,
  type Return as ReturnMessage,
} from '../../../../gen/ecommerce/return/v1/return.js';
import { ReturnReason as Reason } from '../../../../lib/error-reasons.js';
import {
  failedPrecondition,
  invalidArguments,
  notFound,
  type FieldViolation,
} from '../../../../lib/errors.js';
import { ReturnRequestedEvent } from '../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { runOnce } from '../../../../lib/idempotency/idempotency-keys.js';
import { checked } from '../../../../lib/validation/index.js';
import { ReturnItem, ReturnRequest } from '../entities/index.js';
import type { ReturnReason } from '../entities/return-request.js';
import { findReturn, lockOrderReturns } from './find-return.js';
import type { OrderDesk, OrderFacts } from './ports.js';
import { writeFirstHistory } from './return-status.js';
import { returnView, WIRE_REASONS } from './return-view.js';
import { newRmaNumber } from './rma-number.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;
const MAX_LINES = 100;
const DAY_MS = 86_400_000;
/** The order statuses a return may be asked for in: delivered, or already partly refunded by a return. */
const RETURNABLE = new Set(['delivered', 'partially_refunded']);

export interface RequestReturnDeps {
  orders: OrderDesk;
  windowDays: number;
  now?: () => Date;
}

interface LineAsked {
  orderItemId: string;
  quantity: number;
  reason: ReturnReason;
}

const STORED_REASONS = new Map(
  (Object.entries(WIRE_REASONS) as [ReturnReason, WireReason][]).map(([stored, wire]) => [wire, stored]),
);

function linesAskedOf(request: RequestReturnRequest) {
  return checked((v) => {
    const key = request.idempotencyKey;
    if (key === '') v.add('idempotency_key', 'is required');
    else if (!IDEMPOTENCY_KEY.test(key))
      v.add('idempotency_key', 'must be 8-100 characters of [A-Za-z0-9_-]');
    const orderId = v.uuid('order_id', request.orderId);
    if (request.lines.length === 0) v.add('lines', 'must name at least one line');
    if (request.lines.length > MAX_LINES) v.add('lines', `must name at most ${MAX_LINES} lines`);
    const seen = new Set<string>();
    const lines: LineAsked[] = request.lines.map((line, i) => {
      const orderItemId = v.uuid(`lines[${i}].order_item_id`, line.orderItemId);
      if (!v.has(`lines[${i}].order_item_id`) && seen.has(orderItemId)) {
        v.add(`lines[${i}].order_item_id`, 'names a line already listed');
      }
      seen.add(orderItemId);
      if (!Number.isInteger(line.quantity) || line.quantity < 1) {
        v.add(`lines[${i}].quantity`, 'must be at least 1');
      }
      const reason = STORED_REASONS.get(line.reason);
      if (!reason) v.add(`lines[${i}].reason`, 'is required (not RETURN_REASON_UNSPECIFIED)');
      return { orderItemId, quantity: line.quantity, reason: reason! };
    });
    const notes = v.optionalText('notes', request.notes, 2000);
    return { key, orderId, lines, notes };
  });
}

/** Store credit and exchanges are not offered: only the original payment is refunded. */
function requireOfferedMethod(method: WireRefundMethod): void {
  if (
    method === WireRefundMethod.REFUND_METHOD_UNSPECIFIED ||
    method === WireRefundMethod.REFUND_METHOD_ORIGINAL_PAYMENT
  ) {
    return;
  }
  const what = method === WireRefundMethod.REFUND_METHOD_STORE_CREDIT ? 'store credit is' : 'exchanges are';
  throw failedPrecondition(
    `${what} not offered: returns are refunded to the original payment`,
    Reason.REFUND_METHOD_NOT_OFFERED,
    { refund_method: WireRefundMethod[method] ?? String(method) },
  );
}

/** The order, if it is the caller's and may be returned from now. */
function requireReturnable(
  order: OrderFacts | undefined,
  orderId: string,
  userId: string,
  deps: RequestReturnDeps,
) {
  if (!order || order.userId !== userId) throw notFound('order', orderId);
  if (!RETURNABLE.has(order.status) || !order.deliveredAt) {
    throw failedPrecondition(
      `order ${orderId} is ${order.status}, not delivered`,
      Reason.ORDER_NOT_DELIVERED,
      {
        order_id: orderId,
        status: order.status,
      },
    );
  }
  const now = (deps.now ?? (() => new Date()))();
  if (now.getTime() - order.deliveredAt.getTime() > deps.windowDays * DAY_MS) {
    throw failedPrecondition(
      `order ${orderId} was delivered more than ${deps.windowDays} days ago: the return window is closed`,
      Reason.RETURN_WINDOW_CLOSED,
      { delivered_at: order.deliveredAt.toISOString(), window_days: String(deps.windowDays) },
    );
  }
  return order;
}

/**
 * Units of each order line that the order's returns already return or are returning: every
 * return but the rejected ones and those closed without being received.
 */
export async function unitsTakenByReturns(tx: EntityManager, orderId: string): Promise<Map<string, number>> {
  const rows = await tx.execute<{ order_item_id: string; units: string }[]>(
    `SELECT i.order_item_id, sum(i.quantity)::text AS units
       FROM return_items i JOIN return_requests r ON r.id = i.return_request_id
      WHERE r.order_id = ? AND r.status <> 'rejected' AND NOT (r.status = 'closed' AND r.received_at IS NULL)
      GROUP BY i.order_item_id`,
    [orderId],
  );
  return new Map(rows.map((row) => [row.order_item_id, Number(row.units)]));
}

/**
 * RequestReturn: the order is read from the order service first (no call inside the
 * transaction); then, in one transaction holding the order's lock, the quantities are checked
 * against every other return of the order and the return is written with its lines, first
 * history row and return.return.requested. Idempotent by key per customer.
 */
export async function requestReturn(
  em: EntityManager,
  deps: RequestReturnDeps,
  userId: string,
  request: RequestReturnRequest,
): Promise<ReturnMessage> {
  const asked = linesAskedOf(request);
  requireOfferedMethod(request.refundMethod);
  const order = requireReturnable(await deps.orders.getOrder(asked.orderId), asked.orderId, userId, deps);
  const unknown: FieldViolation[] = [];
  asked.lines.forEach((line, i) => {
    if (!order.lines.some((orderLine) => orderLine.id === line.orderItemId)) {
      unknown.push({ field: `lines[${i}].order_item_id`, description: 'is not a line of the order' });
    }
  });
  if (unknown.length > 0) throw invalidArguments(unknown);

  const { returnId } = await runOnce(
    em,
    {
      scope: `request-return/${userId}`,
      key: asked.key,
      request: { orderId: asked.orderId, lines: asked.lines, notes: asked.notes },
    },
    async (tx) => {
      await lockOrderReturns(tx, order.id);
      const taken = await unitsTakenByReturns(tx, order.id);
      const tooMany: FieldViolation[] = [];
      asked.lines.forEach((line, i) => {
        const orderLine = order.lines.find((candidate) => candidate.id === line.orderItemId)!;
        const left = orderLine.quantity - (taken.get(line.orderItemId) ?? 0);
        if (line.quantity > left) {
          tooMany.push({
            field: `lines[${i}].quantity`,
            description: `must be at most ${left}: ${orderLine.quantity} bought, ${orderLine.quantity - left} returned or being returned`,
          });
        }
      });
      if (tooMany.length > 0) throw invalidArguments(tooMany);

      const created = tx.create(ReturnRequest, {
        orderId: order.id,
        userId,
        rmaNumber: newRmaNumber(),
        status: 'pending',
        returnReason: asked.lines[0]!.reason,
        returnNotes: asked.notes,
        refundMethod: 'original_payment',
        currency: order.currency,
      });
      const items = asked.lines.map((line) => {
        const orderLine = order.lines.find((candidate) => candidate.id === line.orderItemId)!;
        return tx.create(ReturnItem, {
          returnRequest: created,
          orderItemId: orderLine.id,
          productId: orderLine.productId,
          variantId: orderLine.variantId,
          productName: orderLine.productName,
          productSku: orderLine.sku,
          quantity: line.quantity,
          unitPrice: orderLine.unitPriceMinor,
          currency: order.currency,
          returnReason: line.reason,
        });
      });
      await tx.flush();
      await writeFirstHistory(tx, created.id, userId);
      await publishEvent(tx, 'return', ReturnRequestedEvent, {
        returnId: created.id,
        rmaNumber: created.rmaNumber,
        orderId: order.id,
        userId,
        items: items.map((item) => ({
          orderItemId: item.orderItemId,
          productId: item.productId,
          variantId: item.variantId,
          quantity: item.quantity,
          restocked: false,
        })),
        requestedAt: created.requestedAt,
      });
      return { returnId: created.id };
    },
  );
  const fresh = em.fork();
  return returnView(fresh, await findReturn(fresh, { reader: 'customer', userId }, returnId));
}
