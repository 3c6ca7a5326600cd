import {
  ReturnApprovedEvent,
  ReturnReceivedEvent,
  ReturnRejectedEvent,
} from '../../../../lib/events/catalog.js';
import { on, type EventHandlerBinding } from '../../../../lib/events/index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { formattedTime, greetingName } from '../domain/mail-values.js';
import { notificationTypeNamed } from '../domain/notification-types.js';
import { orderContactOf } from '../domain/order-contacts.js';
import { queueNotification } from '../domain/queue-notification.js';
import type { ConsumerContext } from './consumer-context.js';

/**
 * The mails of a return: approved (with the RMA number the parcel needs), rejected (with why),
 * received. A return is always a customer's; its order's number comes from the order's own events,
 * so a return of an order not heard of yet fails the handling and is tried again.
 */
export function returnHandlers({ store, logger }: ConsumerContext): EventHandlerBinding[] {
  async function orderNumberOf(em: EntityManager, orderId: string, returnId: string): Promise<string> {
    const contact = await orderContactOf(em, orderId);
    if (!contact) throw new Error(`return ${returnId}: order ${orderId} is not known yet`);
    return contact.order_number;
  }
  return [
    on(ReturnApprovedEvent, async (em, event, envelope) => {
      await queueNotification(
        em,
        store,
        {
          eventId: envelope.id,
          type: notificationTypeNamed('return_approved'),
          recipient: { userId: event.userId, email: null },
          values: {
            first_name: greetingName(undefined),
            order_number: await orderNumberOf(em, event.orderId, event.returnId),
            rma_number: event.rmaNumber,
            expires_at: formattedTime(event.expiresAt),
            return_url: `${store.storeUrl}/returns/${event.returnId}`,
          },
        },
        logger,
      );
    }),
    on(ReturnRejectedEvent, async (em, event, envelope) => {
      await queueNotification(
        em,
        store,
        {
          eventId: envelope.id,
          type: notificationTypeNamed('return_rejected'),
          recipient: { userId: event.userId, email: null },
          values: {
            first_name: greetingName(undefined),
            order_number: await orderNumberOf(em, event.orderId, event.returnId),
            reason: event.reason,
          },
        },
        logger,
      );
    }),
    on(ReturnReceivedEvent, async (em, event, envelope) => {
      await queueNotification(
        em,
        store,
        {
          eventId: envelope.id,
          type: notificationTypeNamed('return_received'),
          recipient: { userId: event.userId, email: null },
          values: {
            first_name: greetingName(undefined),
            order_number: await orderNumberOf(em, event.orderId, event.returnId),
          },
        },
        logger,
      );
    }),
  ];
}
