import { UserProfileCreated } from '../../../gen/ecommerce/user/v1/events.js';
import { defineEvent } from '../../../lib/events/index.js';

/** The events the user service publishes (subjects are the contract other services subscribe to). */
export const UserProfileCreatedEvent = defineEvent(
  'user.profile.created',
  'ecommerce.user.v1.UserProfileCreated',
  UserProfileCreated,
);
