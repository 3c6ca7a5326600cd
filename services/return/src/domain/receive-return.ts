import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  ReceiveReturnRequest,
  Return as ReturnMessage,
} from '../../../../gen/ecommerce/return/v1/return.js';
import { invalidArgument } from '../../../../lib/errors.js';
import { ReturnReceivedEvent } from '../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { checked } from '../../../../lib/validation/index.js';
import { ReturnItem } from '../entities/index.js';
import type { ItemCondition } from '../entities/return-item.js';
import { findReturn } from './find-return.js';
import type { Restocking } from './ports.js';
import { returnStatuses } from './return-status.js';
import { returnView, STORED_CONDITIONS } from './return-view.js';

const STAFF = { reader: 'staff' } as const;
const SELLABLE: ItemCondition = 'new';

/**
 * ReceiveReturn: the parcel of an approved (or in transit) return arrived, each line's condition
 * given. The sellable units go back to stock first (the product service's Restock, keyed by the
 * return id, so a retry or a concurrent receipt restocks once), then one transaction under the
 * return's lock records the conditions, RECEIVED and return.return.received. A received return
 * with the same conditions is answered as it is.
 */
export async function receiveReturn(
  em: EntityManager,
  stock: Restocking,
  staffId: string,
  request: ReceiveReturnRequest,
): Promise<ReturnMessage> {
  const input = checked((v) => {
    const returnId = v.uuid('return_id', request.returnId);
    if (request.items.length === 0) v.add('items', 'must give the condition of every line');
    const items = request.items.map((item, i) => {
      const id = v.uuid(`items[${i}].return_item_id`, item.returnItemId);
      const condition = STORED_CONDITIONS[item.condition];
      if (!condition)
        v.add(`items[${i}].condition`, 'must be ITEM_CONDITION_SELLABLE or ITEM_CONDITION_DAMAGED');
      return { id, condition: condition!, index: i };
    });
    return { returnId, items };
  });
  const found = await findReturn(em, STAFF, input.returnId);
  const lines = await em.find(
    ReturnItem,
    { returnRequest: found.id },
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  const conditions = conditionsOf(lines, input.items);
  if (found.status === 'received' && lines.every((line) => line.condition === conditions.get(line.id))) {
    return returnView(em, found);
  }
  // A received return with other conditions is refused: its restock is done and cannot change.
  returnStatuses.assertAllowed(found.id, found.status, 'received');

  const restocked = new Map<string, number>();
  for (const line of lines) {
    if (conditions.get(line.id) !== SELLABLE) continue;
    restocked.set(line.variantId, (restocked.get(line.variantId) ?? 0) + line.quantity);
  }
  if (restocked.size > 0) {
    await stock.restock(
      found.id,
      [...restocked].map(([variantId, quantity]) => ({ variantId, quantity })),
      `return ${found.rmaNumber} received`,
    );
  }

  return em.transactional(async (tx) => {
    const locked = await findReturn(tx, STAFF, input.returnId, true);
    const items = await tx.find(
      ReturnItem,
      { returnRequest: locked.id },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    const now = new Date();
    await returnStatuses.apply(
      tx,
      { id: locked.id, from: locked.status, to: 'received', changedBy: staffId },
      async () => {
        for (const item of items) item.condition = conditions.get(item.id)!;
        locked.status = 'received';
        locked.receivedAt = now;
        await tx.flush();
        await publishEvent(tx, 'return', ReturnReceivedEvent, {
          returnId: locked.id,
          orderId: locked.orderId,
          userId: locked.userId,
          items: items.map((item) => ({
            orderItemId: item.orderItemId,
            productId: item.productId,
            variantId: item.variantId,
            quantity: item.quantity,
            restocked: item.condition === SELLABLE,
          })),
          receivedAt: now,
        });
      },
    );
    return returnView(tx, locked);
  });
}

/** Every line of the return exactly once, with its condition; else INVALID_ARGUMENT naming the item. */
function conditionsOf(
  lines: ReturnItem[],
  items: { id: string; condition: ItemCondition; index: number }[],
): Map<string, ItemCondition> {
  const conditions = new Map<string, ItemCondition>();
  for (const item of items) {
    const field = `items[${item.index}].return_item_id`;
    if (!lines.some((line) => line.id === item.id))
      throw invalidArgument(field, 'is not a line of the return');
    if (conditions.has(item.id)) throw invalidArgument(field, 'names a line already listed');
    conditions.set(item.id, item.condition);
  }
  const missing = lines.findIndex((line) => !conditions.has(line.id));
  if (missing >= 0)
    throw invalidArgument('items', `must give the condition of line ${lines[missing]!.id} too`);
  return conditions;
}
