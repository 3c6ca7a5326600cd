import { NotificationServiceService } from '../../../gen/ecommerce/notification/v1/notification.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { notificationDatabase } from './database.js';
import { seedNotificationDemo } from './seed/index.js';

/** The notification service: its contract is declared; its RPCs arrive with their issue. */
export const notificationModule: ServiceModule = {
  name: 'notification',
  database: notificationDatabase,
  seed: seedNotificationDemo,
  async create({ verifier, logger }) {
    return {
      grpc: [
        {
          name: 'ecommerce.notification.v1.NotificationService',
          definition: NotificationServiceService,
          implementation: implementService(NotificationServiceService, {}, { verifier, logger }),
        },
      ],
    };
  },
};
