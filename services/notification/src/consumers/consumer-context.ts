import type { Logger } from '../../../../lib/log.js';
import type { StoreIdentity } from '../domain/queue-notification.js';

/** What every consumer of the service needs beside the event. */
export interface ConsumerContext {
  store: StoreIdentity;
  /** Who receives the shop's alerts (NOTIFICATION_ADMIN_EMAILS). */
  adminEmails: readonly string[];
  logger: Logger;
}
