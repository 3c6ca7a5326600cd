import { AuthServiceService } from '../../../gen/ecommerce/auth/v1/auth.js';
import { readString } from '../../../lib/config/index.js';
import { loadKeyRing, TokenSigner } from '../../../lib/auth/token-signer.js';
import { loadServiceMasterSecret } from '../../../lib/auth/service-secret.js';
import { JwksTokenVerifier } from '../../../lib/auth/token-verifier.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { authDatabase } from './database.js';
import { seedAuthDemo } from './seed/index.js';
import { ensureBootstrapAdmin } from './domain/bootstrap-admin.js';
import { ensureBuiltInRoles } from './domain/built-in-roles.js';
import { EmailLinks } from './domain/links.js';
import { LoginLimits } from './domain/login-limits.js';
import { startTokenCleanup } from './jobs/token-cleanup.js';
import { authHandlers } from './handlers.js';

/** Accounts, credentials and sessions; the one service that signs access tokens. */
export const authModule: ServiceModule = {
  name: 'auth',
  database: authDatabase,
  seed: seedAuthDemo,
  async create({ config, env, orm, logger, dispose }) {
    const signer = await TokenSigner.create(await loadKeyRing(config, env));
    const serviceMasterSecret = await loadServiceMasterSecret(config, env);
    // The auth service verifies tokens with its own keys, without calling itself.
    const verifier = new JwksTokenVerifier(async () => signer.publicJwks());
    const links = EmailLinks.fromEnv(env);
    await ensureBuiltInRoles(orm.em.fork());
    const adminEmail = readString(env, 'AUTH_BOOTSTRAP_ADMIN_EMAIL');
    const adminPassword = readString(env, 'AUTH_BOOTSTRAP_ADMIN_PASSWORD');
    if (adminEmail && adminPassword) {
      await ensureBootstrapAdmin(
        orm.em.fork(),
        links,
        { email: adminEmail, password: adminPassword },
        logger,
      );
    }
    const tokenCleanup = startTokenCleanup(orm, logger);
    dispose(tokenCleanup.name, () => tokenCleanup.stop());
    return {
      grpc: [
        {
          name: 'ecommerce.auth.v1.AuthService',
          definition: AuthServiceService,
          implementation: implementService(
            AuthServiceService,
            authHandlers({ orm, signer, serviceMasterSecret, loginLimits: LoginLimits.fromEnv(env), links }),
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
