import {
  EmailVerificationRequestedEvent,
  PasswordResetRequestedEvent,
  UserDeactivatedEvent,
  UserEmailVerifiedEvent,
  UserReactivatedEvent,
} from '../../../../lib/events/catalog.js';
import { on, type EventHandlerBinding } from '../../../../lib/events/index.js';
import { formattedTime, greetingName } from '../domain/mail-values.js';
import { notificationTypeNamed } from '../domain/notification-types.js';
import { queueNotification } from '../domain/queue-notification.js';
import type { ConsumerContext } from './consumer-context.js';

/**
 * The account mails, to the address the event names (the one being verified, the account's own):
 * verification (auth.email_verification.requested, after Register and ResendVerification: it
 * carries the link; auth.user.registered carries none and sends nothing), password reset, welcome;
 * and to the account's address (looked up when sending) the notice of its deactivation or
 * reactivation.
 */
export function authHandlers({ store, logger }: ConsumerContext): EventHandlerBinding[] {
  return [
    on(EmailVerificationRequestedEvent, async (em, event, envelope) => {
      await queueNotification(
        em,
        store,
        {
          eventId: envelope.id,
          type: notificationTypeNamed('email_verification'),
          recipient: { userId: event.userId || null, email: event.email },
          values: {
            first_name: greetingName(event.firstName),
            email: event.email,
            verification_link: event.verificationLink,
            expires_at: formattedTime(event.expiresAt),
          },
        },
        logger,
      );
    }),
    on(PasswordResetRequestedEvent, async (em, event, envelope) => {
      await queueNotification(
        em,
        store,
        {
          eventId: envelope.id,
          type: notificationTypeNamed('password_reset'),
          recipient: { userId: event.userId || null, email: event.email },
          values: {
            first_name: greetingName(event.firstName),
            email: event.email,
            reset_link: event.resetLink,
            expires_at: formattedTime(event.expiresAt),
          },
        },
        logger,
      );
    }),
    on(UserEmailVerifiedEvent, async (em, event, envelope) => {
      await queueNotification(
        em,
        store,
        {
          eventId: envelope.id,
          type: notificationTypeNamed('welcome'),
          recipient: { userId: event.userId || null, email: event.email },
          values: { first_name: greetingName(undefined), email: event.email },
        },
        logger,
      );
    }),
    on(UserDeactivatedEvent, async (em, event, envelope) => {
      await queueNotification(
        em,
        store,
        {
          eventId: envelope.id,
          type: notificationTypeNamed('account_deactivated'),
          recipient: { userId: event.userId, email: null },
          values: { first_name: greetingName(undefined) },
        },
        logger,
      );
    }),
    on(UserReactivatedEvent, async (em, event, envelope) => {
      await queueNotification(
        em,
        store,
        {
          eventId: envelope.id,
          type: notificationTypeNamed('account_reactivated'),
          recipient: { userId: event.userId, email: null },
          values: { first_name: greetingName(undefined) },
        },
        logger,
      );
    }),
  ];
}
