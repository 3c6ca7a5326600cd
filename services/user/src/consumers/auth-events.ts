import { UserRegistered } from '../../../../gen/ecommerce/auth/v1/events.js';
import { defineEvent } from '../../../../lib/events/index.js';

/** The auth service's events this service consumes (subject and type are the auth contract). */
export const UserRegisteredEvent = defineEvent(
  'auth.user.registered',
  'ecommerce.auth.v1.UserRegistered',
  UserRegistered,
);
