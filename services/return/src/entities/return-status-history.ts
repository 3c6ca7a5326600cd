import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { ReturnRequest, type ReturnStatus } from './return-request.js';

/** One status change of a return request. `changedBy` is a user id or `system`. */
export const ReturnStatusHistory = defineEntity({
  name: 'ReturnStatusHistory',
  tableName: 'return_status_history',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    returnRequest: p.manyToOne(ReturnRequest).ref().deleteRule('cascade'),
    status: p.text().$type<ReturnStatus>(),
    previousStatus: p.text().$type<ReturnStatus>().nullable(),
    changedBy: p.text(),
    notes: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ReturnStatusHistory = InferEntity<typeof ReturnStatusHistory>;
