import { UserRegistered } from '../../../gen/ecommerce/auth/v1/events.js';
import { defineEvent } from '../../../lib/events/index.js';

/** The events the auth service publishes (subjects are the contract other services subscribe to). */
export const UserRegisteredEvent = defineEvent(
  'auth.user.registered',
  'ecommerce.auth.v1.UserRegistered',
  UserRegistered,
);
