import type { EntityManager } from '@mikro-orm/postgresql';
import type { Address } from '../../../../gen/ecommerce/common/v1/address.js';
import {
  ItemCondition as WireCondition,
  RefundMethod as WireRefundMethod,
  RefundStatus as WireRefundStatus,
  ReturnReason as WireReason,
  ReturnStatus as WireStatus,
  type Return as ReturnMessage,
} from '../../../../gen/ecommerce/return/v1/return.js';
import {
  Refund,
  ReturnAuthorization,
  ReturnItem,
  ReturnRequest,
  ReturnStatusHistory,
  ReturnTracking,
} from '../entities/index.js';
import type { ItemCondition } from '../entities/return-item.js';
import type { RefundMethod, ReturnReason } from '../entities/return-request.js';
import { wireStatusOf } from './return-status.js';

export const WIRE_REASONS: Record<ReturnReason, WireReason> = {
  defective: WireReason.RETURN_REASON_DEFECTIVE,
  wrong_item: WireReason.RETURN_REASON_WRONG_ITEM,
  not_as_described: WireReason.RETURN_REASON_NOT_AS_DESCRIBED,
  changed_mind: WireReason.RETURN_REASON_CHANGED_MIND,
  other: WireReason.RETURN_REASON_OTHER,
};

const WIRE_METHODS: Record<RefundMethod, WireRefundMethod> = {
  original_payment: WireRefundMethod.REFUND_METHOD_ORIGINAL_PAYMENT,
  store_credit: WireRefundMethod.REFUND_METHOD_STORE_CREDIT,
  exchange: WireRefundMethod.REFUND_METHOD_EXCHANGE,
};

/** Sellable goods are stored as `new`, damaged ones as `damaged` (the table's other values are unused). */
export const STORED_CONDITIONS: Partial<Record<WireCondition, ItemCondition>> = {
  [WireCondition.ITEM_CONDITION_SELLABLE]: 'new',
  [WireCondition.ITEM_CONDITION_DAMAGED]: 'damaged',
};

function wireConditionOf(condition: ItemCondition | null): WireCondition {
  if (condition === null) return WireCondition.ITEM_CONDITION_UNSPECIFIED;
  return condition === 'damaged' || condition === 'defective'
    ? WireCondition.ITEM_CONDITION_DAMAGED
    : WireCondition.ITEM_CONDITION_SELLABLE;
}

/** Several returns as the contract shows each, in the order given, read in five queries. */
export async function returnViews(
  em: EntityManager,
  returns: readonly ReturnRequest[],
): Promise<ReturnMessage[]> {
  if (returns.length === 0) return [];
  const ids = returns.map((request) => request.id);
  const oldestFirst = { orderBy: { createdAt: 'asc', id: 'asc' } } as const;
  const items = await em.find(ReturnItem, { returnRequest: { $in: ids } }, oldestFirst);
  const authorizations = await em.find(ReturnAuthorization, { returnRequest: { $in: ids } });
  const tracking = await em.find(
    ReturnTracking,
    { authorization: { $in: authorizations.map((a) => a.id) } },
    { orderBy: { occurredAt: 'asc', id: 'asc' } },
  );
  const history = await em.find(ReturnStatusHistory, { returnRequest: { $in: ids } }, oldestFirst);
  const refunds = await em.find(Refund, { returnRequest: { $in: ids } }, oldestFirst);
  return returns.map((request) => {
    const mine = <T extends { returnRequest: { id: string } }>(rows: T[]) =>
      rows.filter((row) => row.returnRequest.id === request.id);
    const authorization = mine(authorizations)[0];
    const parcels = authorization ? tracking.filter((row) => row.authorization.id === authorization.id) : [];
    return messageOf(request, {
      items: mine(items),
      authorization,
      carrier: String(parcels[parcels.length - 1]?.carrierData?.carrier ?? ''),
      history: mine(history),
      refund: mine(refunds)[0],
    });
  });
}

export async function returnView(em: EntityManager, request: ReturnRequest): Promise<ReturnMessage> {
  const [view] = await returnViews(em, [request]);
  return view!;
}

function messageOf(
  request: ReturnRequest,
  parts: {
    items: ReturnItem[];
    authorization: ReturnAuthorization | undefined;
    carrier: string;
    history: ReturnStatusHistory[];
    refund: Refund | undefined;
  },
): ReturnMessage {
  const money = (amountMinor: number) => ({ currencyCode: request.currency, amountMinor });
  const { authorization, refund } = parts;
  const linesRefunded = parts.items.reduce((sum, item) => sum + item.refundAmount, 0);
  return {
    id: request.id,
    rmaNumber: request.rmaNumber,
    orderId: request.orderId,
    userId: request.userId,
    status: wireStatusOf(request.status),
    refundMethod: WIRE_METHODS[request.refundMethod as RefundMethod],
    notes: request.returnNotes ?? '',
    lines: parts.items.map((item) => ({
      id: item.id,
      orderItemId: item.orderItemId,
      productId: item.productId,
      variantId: item.variantId,
      productName: item.productName,
      sku: item.productSku,
      quantity: item.quantity,
      unitPrice: money(item.unitPrice),
      reason: item.returnReason ? WIRE_REASONS[item.returnReason] : WireReason.RETURN_REASON_UNSPECIFIED,
      condition: wireConditionOf(item.condition ?? null),
      refundAmount: money(item.refundAmount),
    })),
    refundAmount: money(request.refundAmount),
    authorization: authorization && {
      rmaNumber: authorization.rmaNumber,
      returnAddress: authorization.returnAddress as unknown as Address,
      instructions: authorization.returnInstructions ?? '',
      expiresAt: authorization.expiresAt,
      carrier: parts.carrier,
      trackingNumber: authorization.trackingNumber ?? '',
    },
    refund: refund && {
      id: refund.id,
      status:
        refund.status === 'completed'
          ? WireRefundStatus.REFUND_STATUS_COMPLETED
          : WireRefundStatus.REFUND_STATUS_PROCESSING,
      amount: money(refund.amount),
      paymentId: refund.paymentId ?? '',
      paymentRefundId: refund.paymentRefundId ?? '',
      includesShipping: refund.amount > linesRefunded,
    },
    rejectionReason: request.rejectionReason ?? '',
    history: parts.history.map((change) => ({
      status: wireStatusOf(change.status),
      previousStatus: change.previousStatus
        ? wireStatusOf(change.previousStatus)
        : WireStatus.RETURN_STATUS_UNSPECIFIED,
      changedBy: change.changedBy,
      note: change.notes ?? '',
      changedAt: change.createdAt,
    })),
    requestedAt: request.requestedAt,
    approvedAt: request.approvedAt ?? undefined,
    receivedAt: request.receivedAt ?? undefined,
    processedAt: request.processedAt ?? undefined,
    closedAt: request.closedAt ?? undefined,
  };
}
