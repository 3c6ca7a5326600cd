import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { ReturnRequest } from './return-request.js';

/** The RMA issued for an approved request: one per request, `rmaNumber` unique. */
export const ReturnAuthorization = defineEntity({
  name: 'ReturnAuthorization',
  tableName: 'return_authorizations',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    returnRequest: p.oneToOne(ReturnRequest).ref().owner().deleteRule('cascade'),
    rmaNumber: p.text(),
    returnAddress: p.json<Record<string, unknown>>(),
    returnInstructions: p.text().nullable(),
    trackingNumber: p.text().nullable(),
    expiresAt: p.datetime(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type ReturnAuthorization = InferEntity<typeof ReturnAuthorization>;
