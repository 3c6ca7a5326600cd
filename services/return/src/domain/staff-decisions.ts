import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  ApproveReturnRequest,
  Return as ReturnMessage,
} from '../../../../gen/ecommerce/return/v1/return.js';
import { ReturnApprovedEvent, ReturnRejectedEvent } from '../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { addressMessageOf, checked, postalFieldsFrom } from '../../../../lib/validation/index.js';
import { ReturnAuthorization } from '../entities/index.js';
import { findReturn } from './find-return.js';
import { returnStatuses } from './return-status.js';
import { returnView } from './return-view.js';

const STAFF = { reader: 'staff' } as const;
const DAY_MS = 86_400_000;

/**
 * ApproveReturn: PENDING -> APPROVED under the return's row lock, with its RMA (the return's
 * number, the address, instructions, an expiry) and return.return.approved, in one transaction.
 */
export async function approveReturn(
  em: EntityManager,
  settings: { rmaValidityDays: number },
  staffId: string,
  request: ApproveReturnRequest,
): Promise<ReturnMessage> {
  const input = checked((v) => ({
    returnId: v.uuid('return_id', request.returnId),
    address: postalFieldsFrom(request.returnAddress, v, 'return_address'),
    instructions: v.optionalText('instructions', request.instructions, 2000),
  }));
  return em.transactional(async (tx) => {
    const found = await findReturn(tx, STAFF, input.returnId, true);
    const change = { id: found.id, from: found.status, to: 'approved' as const, changedBy: staffId };
    await returnStatuses.apply(tx, change, async () => {
      const now = new Date();
      found.status = 'approved';
      found.approvedAt = now;
      const authorization = tx.create(ReturnAuthorization, {
        returnRequest: found,
        rmaNumber: found.rmaNumber,
        returnAddress: { ...addressMessageOf(input.address) },
        returnInstructions: input.instructions,
        expiresAt: new Date(now.getTime() + settings.rmaValidityDays * DAY_MS),
      });
      await tx.flush();
      await publishEvent(tx, 'return', ReturnApprovedEvent, {
        returnId: found.id,
        rmaNumber: found.rmaNumber,
        orderId: found.orderId,
        userId: found.userId,
        expiresAt: authorization.expiresAt,
        approvedAt: now,
      });
    });
    return returnView(tx, found);
  });
}

/** RejectReturn: PENDING -> REJECTED with the reason, and return.return.rejected. */
export async function rejectReturn(
  em: EntityManager,
  staffId: string,
  request: { returnId: string; reason: string },
): Promise<ReturnMessage> {
  const input = checked((v) => ({
    returnId: v.uuid('return_id', request.returnId),
    reason: v.text('reason', request.reason, 1, 500),
  }));
  return em.transactional(async (tx) => {
    const found = await findReturn(tx, STAFF, input.returnId, true);
    const change = {
      id: found.id,
      from: found.status,
      to: 'rejected' as const,
      changedBy: staffId,
      note: input.reason,
    };
    await returnStatuses.apply(tx, change, async () => {
      const now = new Date();
      found.status = 'rejected';
      found.rejectedAt = now;
      found.rejectionReason = input.reason;
      await tx.flush();
      await publishEvent(tx, 'return', ReturnRejectedEvent, {
        returnId: found.id,
        orderId: found.orderId,
        userId: found.userId,
        reason: input.reason,
        rejectedAt: now,
      });
    });
    return returnView(tx, found);
  });
}

/** CloseReturn: a processed, rejected, pending or approved return becomes CLOSED. */
export async function closeReturn(
  em: EntityManager,
  staffId: string,
  request: { returnId: string; note: string },
): Promise<ReturnMessage> {
  const input = checked((v) => ({
    returnId: v.uuid('return_id', request.returnId),
    note: v.optionalText('note', request.note, 500),
  }));
  return em.transactional(async (tx) => {
    const found = await findReturn(tx, STAFF, input.returnId, true);
    const change = {
      id: found.id,
      from: found.status,
      to: 'closed' as const,
      changedBy: staffId,
      note: input.note ?? undefined,
    };
    await returnStatuses.apply(tx, change, async () => {
      found.status = 'closed';
      found.closedAt = new Date();
      await tx.flush();
    });
    return returnView(tx, found);
  });
}
