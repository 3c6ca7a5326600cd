import { UserServiceService } from '../../../gen/ecommerce/user/v1/user.js';
import { on, startConsumer } from '../../../lib/events/index.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { UserRegisteredEvent } from './consumers/auth-events.js';
import { eventLogInbox } from './consumers/event-log-inbox.js';
import { userDatabase } from './database.js';
import { createProfileFromRegistration } from './domain/profiles.js';
import { userHandlers } from './handlers.js';

/** Profiles, addresses, wallet, preferences and wishlist of every customer. */
export const userModule: ServiceModule = {
  name: 'user',
  database: userDatabase,
  async create({ orm, events, verifier, logger }) {
    const authEvents = await startConsumer({
      orm,
      transport: events,
      consumer: 'user-from-auth',
      source: 'auth',
      inbox: eventLogInbox,
      handlers: [on(UserRegisteredEvent, (em, event) => createProfileFromRegistration(em, event))],
      logger,
    });
    return {
      grpc: [
        {
          name: 'ecommerce.user.v1.UserService',
          definition: UserServiceService,
          implementation: implementService(UserServiceService, userHandlers(orm), { verifier, logger }),
        },
      ],
      background: [{ name: 'user-from-auth consumer', stop: () => authEvents.stop() }],
    };
  },
};
