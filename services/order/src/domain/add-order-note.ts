import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderNote as NoteMessage } from '../../../../gen/ecommerce/order/v1/order.js';
import { notFound } from '../../../../lib/errors.js';
import { checked } from '../../../../lib/validation/index.js';
import { Order, OrderNote } from '../entities/index.js';
import { noteMessage } from './order-view.js';

export const MAX_NOTE_LENGTH = 2000;

/** AddOrderNote: a staff note on an order, internal or shown to its customer. */
export async function addOrderNote(
  em: EntityManager,
  input: { orderId: string; note: string; internal: boolean; createdBy: string },
): Promise<NoteMessage> {
  const { orderId, note } = checked((v) => ({
    orderId: v.uuid('order_id', input.orderId),
    note: v.text('note', input.note, 1, MAX_NOTE_LENGTH),
  }));
  return em.transactional(async (tx) => {
    const order = await tx.findOne(Order, { id: orderId }, { fields: ['id'] });
    if (!order) throw notFound('order', orderId);
    const created = tx.create(OrderNote, {
      order: orderId,
      note,
      isInternal: input.internal,
      createdBy: input.createdBy,
    });
    await tx.flush();
    return noteMessage(created);
  });
}
