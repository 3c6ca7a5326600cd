import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { money } from '../../../../lib/db/money-type.js';
import { newId } from '../../../../lib/ids.js';

export type ReturnStatus =
  'pending' | 'approved' | 'rejected' | 'in_transit' | 'received' | 'processed' | 'closed';
export type ReturnReason = 'defective' | 'wrong_item' | 'not_as_described' | 'changed_mind' | 'other';
export type RefundMethod = 'original_payment' | 'store_credit' | 'exchange';

/**
 * A return request for an order (`orderId`, order service) by its customer (`userId`, auth):
 * cross-service, indexed. `rmaNumber` is unique; `refundAmount` is minor units of `currency`. Each
 * status has its timestamp, and the database requires it once the request reached that status.
 */
export const ReturnRequest = defineEntity({
  name: 'ReturnRequest',
  tableName: 'return_requests',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    orderId: p.uuid(),
    userId: p.uuid(),
    rmaNumber: p.text(),
    status: p.text().$type<ReturnStatus>().default('pending'),
    returnReason: p.text().$type<ReturnReason>(),
    returnNotes: p.text().nullable(),
    refundMethod: p.text().$type<RefundMethod>().default('original_payment'),
    refundAmount: money().default(0),
    currency: p.character().length(3),
    requestedAt: p.datetime().onCreate(() => new Date()),
    approvedAt: p.datetime().nullable(),
    rejectedAt: p.datetime().nullable(),
    receivedAt: p.datetime().nullable(),
    processedAt: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
    rejectionReason: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type ReturnRequest = InferEntity<typeof ReturnRequest>;
