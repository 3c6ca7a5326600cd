import type { MikroORM } from '@mikro-orm/postgresql';
import type { UserProfile as UserProfileMessage } from '../../../gen/ecommerce/user/v1/user.js';
import { UserServiceService } from '../../../gen/ecommerce/user/v1/user.js';
import { allow } from '../../../lib/auth/access-rule.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import { getProfileOf } from './domain/profiles.js';
import type { UserProfile } from './entities/user-profile.js';

function toMessage(profile: UserProfile): UserProfileMessage {
  return {
    userId: profile.userId,
    email: profile.email,
    firstName: profile.firstName ?? '',
    lastName: profile.lastName ?? '',
    phone: profile.phone ?? '',
    preferredCurrency: profile.preferredCurrency ?? '',
    preferredLanguage: profile.preferredLanguage ?? '',
    emailVerified: profile.emailVerified,
    isActive: profile.isActive,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
  };
}

export function userHandlers(orm: MikroORM): ServiceHandlers<typeof UserServiceService> {
  return {
    getMyProfile: {
      access: allow.authenticated(),
      // The caller's own profile, found by the token's subject: no id in the request to tamper with.
      handle: async (_request, ctx) => ({
        profile: toMessage(await getProfileOf(orm.em.fork(), ctx.principal!.userId)),
      }),
    },
  };
}
