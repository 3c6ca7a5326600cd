import type * as grpc from '@grpc/grpc-js';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AuthServiceService } from '../../../gen/ecommerce/auth/v1/auth.js';
import { allow } from '../../../lib/auth/access-rule.js';
import type { TokenSigner } from '../../../lib/auth/token-signer.js';
import { firstString, type ServiceHandlers } from '../../../lib/grpc/index.js';
import type { ClientInfo } from './domain/client-info.js';
import { login } from './domain/login.js';
import { registerUser } from './domain/registration.js';

/** The address and agent a BFF forwards (`x-forwarded-for`, `x-user-agent`), else the gRPC agent. */
function clientInfoOf(metadata: grpc.Metadata): ClientInfo {
  return {
    ip: firstString(metadata, 'x-forwarded-for')?.split(',')[0]?.trim(),
    userAgent: firstString(metadata, 'x-user-agent') ?? firstString(metadata, 'user-agent'),
  };
}

export function authHandlers(orm: MikroORM, signer: TokenSigner): ServiceHandlers<typeof AuthServiceService> {
  return {
    register: {
      access: allow.public(),
      handle: (request, ctx) => registerUser(orm.em.fork(), request, clientInfoOf(ctx.metadata)),
    },
    login: {
      access: allow.public(),
      async handle(request, ctx) {
        const session = await login(orm.em.fork(), signer, request, clientInfoOf(ctx.metadata));
        return { ...session, tokenType: 'Bearer' };
      },
    },
    getJwks: {
      access: allow.public(),
      async handle() {
        return {
          keys: signer.publicJwks().map((jwk) => ({
            kid: jwk.kid ?? '',
            kty: jwk.kty ?? '',
            crv: jwk.crv ?? '',
            x: jwk.x ?? '',
            alg: jwk.alg ?? 'EdDSA',
            use: jwk.use ?? 'sig',
          })),
        };
      },
    },
  };
}
