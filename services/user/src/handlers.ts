import type { MikroORM } from '@mikro-orm/postgresql';
import { UserServiceService } from '../../../gen/ecommerce/user/v1/user.js';
import { allow } from '../../../lib/auth/access-rule.js';
import { accountIdOf } from '../../../lib/auth/principal.js';
import type { Logger } from '../../../lib/log.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import {
  createAddress,
  deleteAddress,
  listAddresses,
  setDefaultAddress,
  updateAddress,
} from './domain/addresses.js';
import type { Catalog } from './domain/catalog.js';
import type { PaymentVault } from './domain/payment-vault.js';
import { deletePreference, getPreference, setPreference } from './domain/preferences.js';
import { getProfileById, getProfileOf, profileMessage, updateMyProfile } from './domain/profiles.js';
import {
  addPaymentMethod,
  listPaymentMethods,
  removePaymentMethod,
  setDefaultPaymentMethod,
} from './domain/wallet.js';
import { addWishlistItem, listWishlist, removeWishlistItem } from './domain/wishlist.js';

export interface UserDependencies {
  catalog: Catalog;
  vault: PaymentVault;
  logger: Logger;
}

/**
 * Every "My" RPC acts on the rows of the token's subject (`accountIdOf`), found by user id in each
 * query: a row of another customer is answered NOT_FOUND, exactly like a missing one.
 */
export function userHandlers(
  orm: MikroORM,
  deps: UserDependencies,
): ServiceHandlers<typeof UserServiceService> {
  const em = () => orm.em.fork();
  const customer = allow.account();
  return {
    getMyProfile: {
      access: customer,
      handle: async (_request, ctx) => ({
        profile: profileMessage(await getProfileOf(em(), accountIdOf(ctx.principal))),
      }),
    },
    updateMyProfile: {
      access: customer,
      handle: async (request, ctx) => ({
        profile: await updateMyProfile(em(), accountIdOf(ctx.principal), request),
      }),
    },
    getProfile: {
      access: allow.permission('user:read'),
      handle: async (request) => ({ profile: await getProfileById(em(), request.userId) }),
    },

    createAddress: {
      access: customer,
      handle: async (request, ctx) => ({
        address: await createAddress(em(), accountIdOf(ctx.principal), request),
      }),
    },
    listAddresses: {
      access: customer,
      handle: async (request, ctx) => ({
        addresses: await listAddresses(em(), accountIdOf(ctx.principal), request.type),
      }),
    },
    updateAddress: {
      access: customer,
      handle: async (request, ctx) => ({
        address: await updateAddress(em(), accountIdOf(ctx.principal), request),
      }),
    },
    deleteAddress: {
      access: customer,
      handle: async (request, ctx) => ({
        newDefaultAddressId: await deleteAddress(em(), accountIdOf(ctx.principal), request.addressId),
      }),
    },
    setDefaultAddress: {
      access: customer,
      handle: async (request, ctx) => ({
        address: await setDefaultAddress(em(), accountIdOf(ctx.principal), request.addressId),
      }),
    },

    addPaymentMethod: {
      access: customer,
      handle: async (request, ctx) => ({
        paymentMethod: await addPaymentMethod(
          em(),
          deps.vault,
          accountIdOf(ctx.principal),
          request,
          ctx.logger,
        ),
      }),
    },
    listPaymentMethods: {
      access: customer,
      handle: async (_request, ctx) => ({
        paymentMethods: await listPaymentMethods(em(), accountIdOf(ctx.principal)),
      }),
    },
    removePaymentMethod: {
      access: customer,
      handle: async (request, ctx) => ({
        newDefaultPaymentMethodId: await removePaymentMethod(
          em(),
          deps.vault,
          accountIdOf(ctx.principal),
          request.paymentMethodId,
        ),
      }),
    },
    setDefaultPaymentMethod: {
      access: customer,
      handle: async (request, ctx) => ({
        paymentMethod: await setDefaultPaymentMethod(
          em(),
          accountIdOf(ctx.principal),
          request.paymentMethodId,
        ),
      }),
    },

    getPreference: {
      access: customer,
      handle: async (request, ctx) => ({
        preference: await getPreference(em(), accountIdOf(ctx.principal), request.key),
      }),
    },
    setPreference: {
      access: customer,
      handle: async (request, ctx) => ({
        preference: await setPreference(em(), accountIdOf(ctx.principal), request.key, request.valueJson),
      }),
    },
    deletePreference: {
      access: customer,
      handle: async (request, ctx) => {
        await deletePreference(em(), accountIdOf(ctx.principal), request.key);
        return {};
      },
    },

    addWishlistItem: {
      access: customer,
      handle: async (request, ctx) => ({
        item: await addWishlistItem(em(), deps.catalog, accountIdOf(ctx.principal), request),
      }),
    },
    listWishlist: {
      access: customer,
      handle: async (request, ctx) => listWishlist(em(), accountIdOf(ctx.principal), request),
    },
    removeWishlistItem: {
      access: customer,
      handle: async (request, ctx) => {
        await removeWishlistItem(em(), accountIdOf(ctx.principal), request.productId);
        return {};
      },
    },
  };
}
