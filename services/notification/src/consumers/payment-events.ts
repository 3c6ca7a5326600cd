import { PaymentRefundedEvent } from '../../../../lib/events/catalog.js';
import { on, type EventHandlerBinding } from '../../../../lib/events/index.js';
import { formattedMoney, greetingName } from '../domain/mail-values.js';
import { notificationTypeNamed } from '../domain/notification-types.js';
import { orderContactOf } from '../domain/order-contacts.js';
import { queueNotification } from '../domain/queue-notification.js';
import type { ConsumerContext } from './consumer-context.js';

/**
 * The refund mail (payment.payment.refunded). The event names the order only: its number and a
 * guest's address come from the order's own events. An order not heard of yet fails the handling,
 * so the event is tried again (and parked if the order never shows up).
 */
export function paymentHandlers({ store, logger }: ConsumerContext): EventHandlerBinding[] {
  return [
    on(PaymentRefundedEvent, async (em, event, envelope) => {
      const contact = await orderContactOf(em, event.orderId);
      if (!contact) throw new Error(`refund ${event.refundId}: order ${event.orderId} is not known yet`);
      const userId = event.userId || contact.user_id;
      await queueNotification(
        em,
        store,
        {
          eventId: envelope.id,
          type: notificationTypeNamed('refund_issued'),
          recipient: userId ? { userId, email: null } : { userId: null, email: contact.guest_email },
          values: {
            first_name: greetingName(undefined),
            order_number: contact.order_number,
            amount: formattedMoney(event.amount),
          },
        },
        logger,
      );
    }),
  ];
}
