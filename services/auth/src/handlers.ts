import type { MikroORM } from '@mikro-orm/postgresql';
import { AuthServiceService } from '../../../gen/ecommerce/auth/v1/auth.js';
import { allow } from '../../../lib/auth/access-rule.js';
import { accountOf, type Principal } from '../../../lib/auth/principal.js';
import type { TokenSigner } from '../../../lib/auth/token-signer.js';
import { firstString, type CallContext, type ServiceHandlers } from '../../../lib/grpc/index.js';
import {
  assignRole,
  deactivateUser,
  getUser,
  listRoles,
  listUsers,
  reactivateUser,
  removeRole,
} from './domain/admin-users.js';
import { listAuditEvents } from './domain/audit-query.js';
import { addressOfPeer, type ClientInfo } from './domain/client-info.js';
import { resendVerification, verifyEmail } from './domain/email-verification.js';
import type { EmailLinks } from './domain/links.js';
import { login } from './domain/login.js';
import type { LoginLimits } from './domain/login-limits.js';
import { changePassword, requestPasswordReset, resetPassword } from './domain/passwords.js';
import { refreshSession } from './domain/refresh.js';
import { registerUser } from './domain/registration.js';
import { issueServiceToken } from './domain/service-token.js';
import { endAllSessions, endSession } from './domain/logout.js';

/**
 * The end user's address and agent as the BFF forwards them (`x-forwarded-for` first entry,
 * `x-user-agent`), else the connection's peer address and the gRPC agent. The auth service sits
 * behind the BFF and is never exposed directly, so the forwarded address is trusted.
 */
function clientInfoOf(ctx: CallContext): ClientInfo {
  const forwarded = firstString(ctx.metadata, 'x-forwarded-for')?.split(',')[0]?.trim();
  return {
    ip: forwarded || addressOfPeer(ctx.peer),
    userAgent: firstString(ctx.metadata, 'x-user-agent') ?? firstString(ctx.metadata, 'user-agent'),
  };
}

/** The signed-in account acting for itself (never a service token). */
function callerOf(ctx: CallContext): Principal {
  return accountOf(ctx.principal);
}

export interface AuthDependencies {
  orm: MikroORM;
  signer: TokenSigner;
  /** Master secret service client secrets derive from (AUTH_SERVICE_MASTER_SECRET). */
  serviceMasterSecret: string;
  loginLimits: LoginLimits;
  links: EmailLinks;
}

export function authHandlers(deps: AuthDependencies): ServiceHandlers<typeof AuthServiceService> {
  const { orm, signer, serviceMasterSecret, loginLimits, links } = deps;
  const em = () => orm.em.fork();
  return {
    register: {
      access: allow.public(),
      handle: (request, ctx) => registerUser(em(), links, request, clientInfoOf(ctx)),
    },
    verifyEmail: {
      access: allow.public(),
      handle: (request, ctx) => verifyEmail(em(), request, clientInfoOf(ctx)),
    },
    resendVerification: {
      access: allow.account(),
      handle: async (_request, ctx) => ({
        expiresAt: await resendVerification(em(), links, callerOf(ctx), clientInfoOf(ctx)),
      }),
    },
    login: {
      access: allow.public(),
      async handle(request, ctx) {
        const session = await login(em(), signer, loginLimits, request, clientInfoOf(ctx));
        return { ...session, tokenType: 'Bearer' };
      },
    },
    refresh: {
      access: allow.public(),
      async handle(request, ctx) {
        const session = await refreshSession(em(), signer, request, clientInfoOf(ctx));
        return { ...session, tokenType: 'Bearer' };
      },
    },
    logout: {
      access: allow.account(),
      async handle(_request, ctx) {
        await endSession(em(), callerOf(ctx), clientInfoOf(ctx));
        return {};
      },
    },
    logoutAll: {
      access: allow.account(),
      handle: async (_request, ctx) => ({
        sessionsRevoked: await endAllSessions(em(), callerOf(ctx), clientInfoOf(ctx)),
      }),
    },
    changePassword: {
      access: allow.account(),
      handle: async (request, ctx) => ({
        sessionsRevoked: await changePassword(em(), callerOf(ctx), request, clientInfoOf(ctx)),
      }),
    },
    requestPasswordReset: {
      access: allow.public(),
      async handle(request, ctx) {
        await requestPasswordReset(em(), links, request, clientInfoOf(ctx));
        return {};
      },
    },
    resetPassword: {
      access: allow.public(),
      handle: async (request, ctx) => ({ userId: await resetPassword(em(), request, clientInfoOf(ctx)) }),
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
    issueServiceToken: {
      access: allow.public(),
      handle: (request, ctx) =>
        issueServiceToken(em(), signer, serviceMasterSecret, request, clientInfoOf(ctx)),
    },
    listUsers: {
      access: allow.permission('user:read'),
      async handle(request) {
        const { users, nextPageToken } = await listUsers(em(), request);
        return { users, page: { nextPageToken } };
      },
    },
    getUser: {
      access: allow.anyOf(allow.permission('user:read'), allow.internal()),
      handle: async (request) => ({ user: await getUser(em(), request) }),
    },
    listRoles: {
      access: allow.permission('role:read'),
      handle: async () => ({ roles: await listRoles(em()) }),
    },
    assignRole: {
      access: allow.permission('role:assign'),
      handle: async (request, ctx) => ({
        roles: await assignRole(em(), callerOf(ctx), request, clientInfoOf(ctx)),
      }),
    },
    removeRole: {
      access: allow.permission('role:assign'),
      handle: async (request, ctx) => ({
        roles: await removeRole(em(), callerOf(ctx), request, clientInfoOf(ctx)),
      }),
    },
    deactivateUser: {
      access: allow.permission('user:manage'),
      handle: async (request, ctx) => ({
        user: await deactivateUser(em(), callerOf(ctx), request, clientInfoOf(ctx)),
      }),
    },
    reactivateUser: {
      access: allow.permission('user:manage'),
      handle: async (request, ctx) => ({
        user: await reactivateUser(em(), callerOf(ctx), request, clientInfoOf(ctx)),
      }),
    },
    listAuditEvents: {
      access: allow.permission('audit:read'),
      async handle(request) {
        const { events, nextPageToken } = await listAuditEvents(em(), request);
        return { events, page: { nextPageToken } };
      },
    },
  };
}
