import {
  UserDeactivated,
  UserEmailVerified,
  UserReactivated,
  UserRegistered,
} from '../../../../gen/ecommerce/auth/v1/events.js';
import { defineEvent } from '../../../../lib/events/index.js';

/** The auth service's events this service consumes (subject and type are the auth contract). */
export const UserRegisteredEvent = defineEvent(
  'auth.user.registered',
  'ecommerce.auth.v1.UserRegistered',
  UserRegistered,
);

export const UserEmailVerifiedEvent = defineEvent(
  'auth.user.email_verified',
  'ecommerce.auth.v1.UserEmailVerified',
  UserEmailVerified,
);

export const UserDeactivatedEvent = defineEvent(
  'auth.user.deactivated',
  'ecommerce.auth.v1.UserDeactivated',
  UserDeactivated,
);

export const UserReactivatedEvent = defineEvent(
  'auth.user.reactivated',
  'ecommerce.auth.v1.UserReactivated',
  UserReactivated,
);
