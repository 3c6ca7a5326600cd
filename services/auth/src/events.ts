import {
  EmailVerificationRequested,
  PasswordResetRequested,
  UserDeactivated,
  UserEmailVerified,
  UserReactivated,
  UserRegistered,
} from '../../../gen/ecommerce/auth/v1/events.js';
import { defineEvent } from '../../../lib/events/index.js';

/** The events the auth service publishes (subjects are the contract other services subscribe to). */
export const UserRegisteredEvent = defineEvent(
  'auth.user.registered',
  'ecommerce.auth.v1.UserRegistered',
  UserRegistered,
);

/** Carries the verification link: for the notification service only. */
export const EmailVerificationRequestedEvent = defineEvent(
  'auth.email_verification.requested',
  'ecommerce.auth.v1.EmailVerificationRequested',
  EmailVerificationRequested,
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

/** Carries the reset link: for the notification service only. */
export const PasswordResetRequestedEvent = defineEvent(
  'auth.password_reset.requested',
  'ecommerce.auth.v1.PasswordResetRequested',
  PasswordResetRequested,
);
