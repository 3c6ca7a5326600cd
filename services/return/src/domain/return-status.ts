import type { EntityManager } from '@mikro-orm/postgresql';
import { ReturnStatus as WireStatus } from '../../../../gen/ecommerce/return/v1/return.js';
import { StateMachine, type StatusChange } from '../../../../lib/state-machine.js';
import { ReturnStatusHistory } from '../entities/index.js';
import type { ReturnStatus } from '../entities/return-request.js';

/** Who changes a status when no person does. */
export const SYSTEM = 'system';

async function writeHistory(
  tx: EntityManager,
  change: Omit<StatusChange<ReturnStatus>, 'from'> & { from: ReturnStatus | null },
): Promise<void> {
  tx.create(ReturnStatusHistory, {
    returnRequest: change.id,
    status: change.to,
    previousStatus: change.from,
    changedBy: change.changedBy,
    notes: change.note ?? null,
  });
  await tx.flush();
}

/** The first history row of a return, written when it is asked for. */
export const writeFirstHistory = (tx: EntityManager, id: string, changedBy: string) =>
  writeHistory(tx, { id, from: null, to: 'pending', changedBy });

/**
 * The allowed status changes of a return: the one place that knows them. Staff approve or reject
 * a pending return; the customer's tracking puts an approved one in transit; staff receive it
 * (with or without tracking), refund it (processed) and close it. A pending or approved return
 * that will not go on is closed; so is a rejected one.
 */
export const returnStatuses = new StateMachine<ReturnStatus, EntityManager>(
  'return',
  {
    pending: ['approved', 'rejected', 'closed'],
    approved: ['in_transit', 'received', 'closed'],
    in_transit: ['received'],
    received: ['processed'],
    processed: ['closed'],
    rejected: ['closed'],
    closed: [],
  },
  writeHistory,
);

const WIRE: Record<ReturnStatus, WireStatus> = {
  pending: WireStatus.RETURN_STATUS_PENDING,
  approved: WireStatus.RETURN_STATUS_APPROVED,
  rejected: WireStatus.RETURN_STATUS_REJECTED,
  in_transit: WireStatus.RETURN_STATUS_IN_TRANSIT,
  received: WireStatus.RETURN_STATUS_RECEIVED,
  processed: WireStatus.RETURN_STATUS_PROCESSED,
  closed: WireStatus.RETURN_STATUS_CLOSED,
};

export function wireStatusOf(status: ReturnStatus): WireStatus {
  return WIRE[status] ?? WireStatus.RETURN_STATUS_UNSPECIFIED;
}

export function storedStatusOf(status: WireStatus): ReturnStatus | undefined {
  return (Object.keys(WIRE) as ReturnStatus[]).find((stored) => WIRE[stored] === status);
}
