import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../../../lib/errors.js';
import { ReturnRequest } from '../entities/index.js';

/**
 * Who reaches a return: staff every return; a customer only their own (another's is NOT_FOUND,
 * exactly like one that does not exist).
 */
export type ReturnAccess = { reader: 'staff' } | { reader: 'customer'; userId: string };

/** The return, reachable by `access`, locked for update when `lock` (inside a transaction). */
export async function findReturn(
  em: EntityManager,
  access: ReturnAccess,
  returnId: string,
  lock = false,
): Promise<ReturnRequest> {
  const request = await em.findOne(
    ReturnRequest,
    { id: returnId },
    lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
  );
  if (!request || (access.reader === 'customer' && request.userId !== access.userId)) {
    throw notFound('return', returnId);
  }
  return request;
}

/**
 * Serialises every change of one order's returns (requests and refunds) in return_db: a
 * transaction-scoped advisory lock keyed by the order id, released at commit or rollback.
 */
export async function lockOrderReturns(tx: EntityManager, orderId: string): Promise<void> {
  await tx.execute('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`return-order:${orderId}`]);
}
