import { Address } from './address.js';
import { EventLog } from './event-log.js';
import { PaymentMethod } from './payment-method.js';
import { UserPreference } from './user-preference.js';
import { UserProfile } from './user-profile.js';
import { WishlistItem } from './wishlist-item.js';

export { Address, EventLog, PaymentMethod, UserPreference, UserProfile, WishlistItem };

export const userEntities = [UserProfile, Address, PaymentMethod, UserPreference, WishlistItem, EventLog];
