import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  AddReturnTrackingRequest,
  Return as ReturnMessage,
} from '../../../../gen/ecommerce/return/v1/return.js';
import { ReturnReason as Reason } from '../../../../lib/error-reasons.js';
import { failedPrecondition } from '../../../../lib/errors.js';
import { checked } from '../../../../lib/validation/index.js';
import { ReturnAuthorization, ReturnTracking } from '../entities/index.js';
import { findReturn } from './find-return.js';
import { returnStatuses } from './return-status.js';
import { returnView } from './return-view.js';

/**
 * AddReturnTracking: the customer's parcel under an approved return's RMA, before the RMA
 * expires: APPROVED -> IN_TRANSIT with the tracking on the RMA and a tracking row naming the
 * carrier. The same tracking again changes nothing; another one while in transit replaces it.
 */
export async function addReturnTracking(
  em: EntityManager,
  userId: string,
  request: AddReturnTrackingRequest,
): Promise<ReturnMessage> {
  const input = checked((v) => ({
    returnId: v.uuid('return_id', request.returnId),
    carrier: v.text('carrier', request.carrier, 1, 100),
    trackingNumber: v.text('tracking_number', request.trackingNumber, 1, 100),
  }));
  return em.transactional(async (tx) => {
    const found = await findReturn(tx, { reader: 'customer', userId }, input.returnId, true);
    const authorization = await tx.findOne(ReturnAuthorization, { returnRequest: found.id });
    if (found.status === 'in_transit' && authorization?.trackingNumber === input.trackingNumber) {
      const last = await tx.findOne(
        ReturnTracking,
        { authorization: authorization.id },
        { orderBy: { occurredAt: 'desc', id: 'desc' } },
      );
      if (last?.carrierData?.carrier === input.carrier) return returnView(tx, found);
    }
    if (found.status !== 'in_transit') returnStatuses.assertAllowed(found.id, found.status, 'in_transit');
    const rma = authorization!;
    if (found.status === 'approved' && rma.expiresAt.getTime() < Date.now()) {
      throw failedPrecondition(`the RMA of return ${found.id} expired`, Reason.RMA_EXPIRED, {
        expires_at: rma.expiresAt.toISOString(),
      });
    }
    const now = new Date();
    rma.trackingNumber = input.trackingNumber;
    tx.create(ReturnTracking, {
      authorization: rma,
      status: 'in_transit',
      description: `sent with ${input.carrier}, tracking ${input.trackingNumber}`,
      occurredAt: now,
      carrierData: { carrier: input.carrier, trackingNumber: input.trackingNumber },
    });
    await tx.flush();
    await returnStatuses.apply(
      tx,
      { id: found.id, from: found.status, to: 'in_transit', changedBy: userId, note: input.trackingNumber },
      async () => {
        found.status = 'in_transit';
        await tx.flush();
      },
    );
    return returnView(tx, found);
  });
}
