import { UserServiceService } from '../../../gen/ecommerce/user/v1/user.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { startUserConsumers } from './consumers/index.js';
import { userDatabase } from './database.js';
import { userHandlers } from './handlers.js';
import { paymentServiceVault } from './clients/payment-vault.js';
import { productServiceCatalog } from './clients/product-catalog.js';

/** Profiles, addresses, wallet, preferences and wishlist of every customer. */
export const userModule: ServiceModule = {
  name: 'user',
  database: userDatabase,
  async create(runtime) {
    const { orm, env, verifier, serviceTokens, logger, dispose } = runtime;
    const catalog = productServiceCatalog(env);
    const vault = paymentServiceVault(env, serviceTokens);
    dispose('product and payment clients', () => (catalog.close(), vault.close()));
    await startUserConsumers(runtime);
    return {
      grpc: [
        {
          name: 'ecommerce.user.v1.UserService',
          definition: UserServiceService,
          implementation: implementService(
            UserServiceService,
            userHandlers(orm, { catalog, vault, logger }),
            {
              verifier,
              logger,
            },
          ),
        },
      ],
    };
  },
};
