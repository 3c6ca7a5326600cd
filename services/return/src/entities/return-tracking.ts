import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';
import { ReturnAuthorization } from './return-authorization.js';

export type ReturnParcelStatus = 'pending' | 'in_transit' | 'out_for_delivery' | 'delivered' | 'exception';

/** One tracking event of the parcel sent back under an RMA; deleted with the authorization. */
export const ReturnTracking = defineEntity({
  name: 'ReturnTracking',
  tableName: 'return_tracking',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    authorization: p.manyToOne(ReturnAuthorization).ref().deleteRule('cascade'),
    status: p.text().$type<ReturnParcelStatus>(),
    location: p.text().nullable(),
    description: p.text().nullable(),
    occurredAt: p.datetime(),
    carrierData: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ReturnTracking = InferEntity<typeof ReturnTracking>;
