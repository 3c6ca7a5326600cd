import type { EventHandlerBinding } from '../../../../lib/events/index.js';
import { on } from '../../../../lib/events/index.js';
import { OrderCancelledEvent, OrderConfirmedEvent } from '../../../../lib/events/catalog.js';
import { cancelOrderShipments } from '../domain/fulfilment/cancel-order-shipments.js';
import {
  createOrderShipment,
  createOrderShipmentAtOnce,
} from '../domain/fulfilment/create-order-shipment.js';

/** A confirmed order gets its first shipment; a cancelled one loses those not yet shipped. */
export const orderEventHandlers: EventHandlerBinding[] = [
  on(OrderConfirmedEvent, (em, event) => createOrderShipment(em, event), {
    atOnce: (em, event, _envelope, claim) => createOrderShipmentAtOnce(em, event, claim),
  }),
  on(OrderCancelledEvent, (em, event) => cancelOrderShipments(em, event)),
];
