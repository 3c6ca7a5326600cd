import { OrderStatus } from '../../../../gen/ecommerce/order/v1/order.js';
import {
  OrderCancelledEvent,
  OrderConfirmedEvent,
  OrderStatusChangedEvent,
} from '../../../../lib/events/catalog.js';
import { on, type EventHandlerBinding } from '../../../../lib/events/index.js';
import { formattedAddress, formattedMoney, greetingName } from '../domain/mail-values.js';
import { notificationTypeNamed } from '../domain/notification-types.js';
import { orderContactIn, rememberOrderContact } from '../domain/order-contacts.js';
import {
  queueNotification,
  queueNotificationAtOnce,
  type QueueRequest,
  type Recipient,
} from '../domain/queue-notification.js';
import type { OrderConfirmed } from '../../../../gen/ecommerce/order/v1/events.js';
import type { ConsumerContext } from './consumer-context.js';

function buyerOf(event: { userId: string; guestEmail: string }): Recipient | null {
  if (event.userId) return { userId: event.userId, email: null };
  if (event.guestEmail) return { userId: null, email: event.guestEmail };
  return null;
}

/**
 * The order mails: the receipt (order.order.confirmed), shipped and delivered
 * (order.order.status_changed to SHIPPED or DELIVERED; other changes send nothing), cancelled.
 * A customer's address is looked up when sending; a guest's is in the event. The receipt and the
 * cancellation also remember the order's contact (for the refund and return mails), in the
 * statement that queues their messages.
 */
export function orderHandlers({ store, logger }: ConsumerContext): EventHandlerBinding[] {
  const orderUrl = (orderNumber: string) => `${store.storeUrl}/orders/${encodeURIComponent(orderNumber)}`;
  /** The receipt of a confirmed order, to its buyer; undefined for an order without one. */
  const receiptOf = (event: OrderConfirmed, eventId: string): QueueRequest | undefined => {
    const recipient = buyerOf(event);
    if (!recipient) return undefined;
    const items = event.items
      .map(
        (item) =>
          `${item.quantity} × ${item.productName || item.sku} (${item.sku}) at ${formattedMoney(item.unitPrice)}`,
      )
      .join('\n');
    return {
      eventId,
      type: notificationTypeNamed('order_confirmed'),
      recipient,
      orderContact: orderContactIn(event),
      values: {
        first_name: greetingName(event.shippingAddress?.firstName),
        order_number: event.orderNumber,
        order_total: formattedMoney(event.grandTotal),
        order_items: items,
        shipping_address: formattedAddress(event.shippingAddress),
        order_url: orderUrl(event.orderNumber),
      },
    };
  };
  return [
    on(
      OrderConfirmedEvent,
      async (em, event, envelope) => {
        const receipt = receiptOf(event, envelope.id);
        const contact = orderContactIn(event);
        if (receipt) await queueNotification(em, store, receipt, logger);
        else if (contact) await rememberOrderContact(em, contact);
      },
      {
        atOnce: async (em, event, envelope, claim) => {
          const receipt = receiptOf(event, envelope.id);
          return receipt !== undefined && queueNotificationAtOnce(em, store, receipt, claim);
        },
      },
    ),
    on(OrderStatusChangedEvent, async (em, event, envelope) => {
      const type =
        event.status === OrderStatus.ORDER_STATUS_SHIPPED
          ? 'order_shipped'
          : event.status === OrderStatus.ORDER_STATUS_DELIVERED
            ? 'order_delivered'
            : null;
      const recipient = buyerOf(event);
      if (!type || !recipient) return;
      await queueNotification(
        em,
        store,
        {
          eventId: envelope.id,
          type: notificationTypeNamed(type),
          recipient,
          values: {
            first_name: greetingName(undefined),
            order_number: event.orderNumber,
            order_url: orderUrl(event.orderNumber),
          },
        },
        logger,
      );
    }),
    on(OrderCancelledEvent, async (em, event, envelope) => {
      const contact = orderContactIn(event);
      const recipient = buyerOf(event);
      if (!recipient) {
        if (contact) await rememberOrderContact(em, contact);
        return;
      }
      await queueNotification(
        em,
        store,
        {
          eventId: envelope.id,
          type: notificationTypeNamed('order_cancelled'),
          recipient,
          orderContact: contact,
          values: {
            first_name: greetingName(undefined),
            order_number: event.orderNumber,
            reason: event.reason,
          },
        },
        logger,
      );
    }),
  ];
}
