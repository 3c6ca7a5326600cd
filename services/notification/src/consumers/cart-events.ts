import { CartAbandonedEvent } from '../../../../lib/events/catalog.js';
import { on, type EventHandlerBinding } from '../../../../lib/events/index.js';
import { formattedMoney, greetingName } from '../domain/mail-values.js';
import { notificationTypeNamed } from '../domain/notification-types.js';
import { queueNotification } from '../domain/queue-notification.js';
import type { ConsumerContext } from './consumer-context.js';

/**
 * The reminder of an abandoned cart (cart.cart.abandoned), for a customer's cart with lines; a
 * guest's cart has no address to write to. Not transactional: the customer's preference decides.
 */
export function cartHandlers({ store, logger }: ConsumerContext): EventHandlerBinding[] {
  return [
    on(CartAbandonedEvent, async (em, event, envelope) => {
      if (!event.userId || event.itemCount === 0) return;
      await queueNotification(
        em,
        store,
        {
          eventId: envelope.id,
          type: notificationTypeNamed('cart_abandoned'),
          recipient: { userId: event.userId, email: null },
          values: {
            first_name: greetingName(undefined),
            item_count: String(event.itemCount),
            cart_total: formattedMoney(event.subtotal),
            cart_url: `${store.storeUrl}/cart`,
          },
        },
        logger,
      );
    }),
  ];
}
