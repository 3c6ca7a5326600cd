import { NotificationServiceService } from '../../../gen/ecommerce/notification/v1/notification.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { authServiceDirectory } from './clients/auth-directory.js';
import { mailboxMailTransport, smtpMailTransport } from './clients/mail-transport.js';
import { startNotificationConsumers } from './consumers/index.js';
import { notificationDatabase } from './database.js';
import { onEmailQueued } from './domain/delivery/commit-kick.js';
import { notificationHandlers } from './handlers.js';
import { startKeyRetentionJob } from './jobs/key-retention-job.js';
import { startSenderJob } from './jobs/sender-job.js';
import { ensureEmailTemplates, seedNotificationDemo } from './seed/index.js';
import { notificationSettingsFrom } from './settings.js';

/**
 * Mail and in-app notifications caused by the other services' events: consumers queue the messages
 * in their transaction, the sender delivers them (SMTP, or `.eml` files in DATA_DIR/mailbox) with
 * retries; customers read their in-app notifications and set their preferences, admins keep the
 * templates.
 */
export const notificationModule: ServiceModule = {
  name: 'notification',
  database: notificationDatabase,
  seed: seedNotificationDemo,
  async create(runtime) {
    const { orm, env, config, verifier, logger, dispose, serviceTokens } = runtime;
    const settings = notificationSettingsFrom(env, config.dataDir, config.production);
    await ensureEmailTemplates(orm);
    const mail = settings.smtpUrl
      ? smtpMailTransport(settings.smtpUrl, settings.mailFrom)
      : mailboxMailTransport(settings.mailboxDir, settings.mailFrom);
    dispose('mail transport', () => mail.close());
    if (settings.smtpUrl) logger.info({ provider: 'smtp' }, 'mail goes through the SMTP server');
    else if (config.production) {
      logger.warn(
        { dir: settings.mailboxDir },
        'NOTIFICATION_MAILBOX_IN_PRODUCTION: mail is only written to files, nobody receives it',
      );
    } else logger.info({ dir: settings.mailboxDir }, 'no SMTP server: mail is written as .eml files');
    const directory = authServiceDirectory(env, serviceTokens);
    dispose('auth client', () => directory.close());
    const sender = startSenderJob(
      { orm, mail, directory, policy: settings, logger },
      settings.sendIntervalMs,
    );
    dispose(sender.name, () => sender.stop());
    dispose(
      'sender kick',
      onEmailQueued(orm, () => sender.kick()),
    );
    const keyRetention = startKeyRetentionJob(orm, env, logger);
    dispose(keyRetention.name, () => keyRetention.stop());
    await startNotificationConsumers(runtime, {
      store: { storeName: settings.storeName, storeUrl: settings.storeUrl },
      adminEmails: settings.adminEmails,
      logger,
    });
    return {
      grpc: [
        {
          name: 'ecommerce.notification.v1.NotificationService',
          definition: NotificationServiceService,
          implementation: implementService(NotificationServiceService, notificationHandlers(orm), {
            verifier,
            logger,
          }),
        },
      ],
    };
  },
};
