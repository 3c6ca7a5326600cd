import { on, type EventHandlerBinding } from '../../../../lib/events/index.js';
import {
  applyDeactivated,
  applyEmailVerified,
  applyReactivated,
  createProfileFromRegistration,
} from '../domain/profiles.js';
import { refreshWishlistFromProduct } from '../domain/wishlist.js';
import {
  UserDeactivatedEvent,
  UserEmailVerifiedEvent,
  UserReactivatedEvent,
  UserRegisteredEvent,
} from '../../../../lib/events/catalog.js';
import { ProductUpdatedEvent } from '../../../../lib/events/catalog.js';

/** What the user service does with each auth event (durable `user-from-auth`). */
export const authEventHandlers: EventHandlerBinding[] = [
  on(UserRegisteredEvent, createProfileFromRegistration),
  on(UserEmailVerifiedEvent, applyEmailVerified),
  on(UserDeactivatedEvent, applyDeactivated),
  on(UserReactivatedEvent, applyReactivated),
];

/** What the user service does with each product event (durable `user-from-product`). */
export const productEventHandlers: EventHandlerBinding[] = [
  on(ProductUpdatedEvent, async (em, event, envelope) => {
    if (!event.product) throw new Error('product.product.updated without a product');
    await refreshWishlistFromProduct(em, event.product, envelope.occurredAt ?? new Date());
  }),
];
