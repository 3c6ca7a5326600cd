import { InventoryLowStockEvent } from '../../../../lib/events/catalog.js';
import { on, type EventHandlerBinding } from '../../../../lib/events/index.js';
import { notificationTypeNamed } from '../domain/notification-types.js';
import { queueNotification } from '../domain/queue-notification.js';
import type { ConsumerContext } from './consumer-context.js';

/** The shop's low-stock alert (product.inventory.low_stock), to each NOTIFICATION_ADMIN_EMAILS address. */
export function inventoryHandlers({ store, adminEmails, logger }: ConsumerContext): EventHandlerBinding[] {
  return [
    on(InventoryLowStockEvent, async (em, event, envelope) => {
      for (const email of adminEmails) {
        await queueNotification(
          em,
          store,
          {
            eventId: envelope.id,
            type: notificationTypeNamed('low_stock_alert'),
            recipient: { userId: null, email },
            values: {
              product_id: event.productId,
              sku: event.sku,
              location: event.location,
              available_quantity: String(event.availableQuantity),
              low_stock_threshold: String(event.lowStockThreshold),
            },
          },
          logger,
        );
      }
    }),
  ];
}
