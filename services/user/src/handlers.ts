import type { MikroORM } from '@mikro-orm/postgresql';
import { UserServiceService } from '../../../gen/ecommerce/user/v1/user.js';
import { allow } from '../../../lib/auth/access-rule.js';
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
import { customerIdOf } from './domain/customer.js';
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
 * Every "My" RPC acts on the rows of the token's subject (`customerIdOf`), found by user id in each
 * query: a row of another customer is answered NOT_FOUND, exactly like a missing one.
 */
export function userHandlers(
  orm: MikroORM,
  deps: UserDependencies,
): ServiceHandlers<typeof UserServiceService> {
  const em = () => orm.em.fork();
  const customer = allow.authenticated();
  return {
    getMyProfile: {
      access: customer,
      handle: async (_request, ctx) => ({
        profile: profileMessage(await getProfileOf(em(), customerIdOf(ctx.principal))),
      }),
    },
    updateMyProfile: {
      access: customer,
      handle: async (request, ctx) => ({
        profile: await updateMyProfile(em(), customerIdOf(ctx.principal), request),
      }),
    },
    getProfile: {
      access: allow.permission('user:read'),
      handle: async (request) => ({ profile: await getProfileById(em(), request.userId) }),
    },

    createAddress: {
      access: customer,
      handle: async (request, ctx) => ({
        address: await createAddress(em(), customerIdOf(ctx.principal), request),
      }),
    },
    listAddresses: {
      access: customer,
      handle: async (request, ctx) => ({
        addresses: await listAddresses(em(), customerIdOf(ctx.principal), request.type),
      }),
    },
    updateAddress: {
      access: customer,
      handle: async (request, ctx) => ({
        address: await updateAddress(em(), customerIdOf(ctx.principal), request),
      }),
    },
    deleteAddress: {
      access: customer,
      handle: async (request, ctx) => ({
        newDefaultAddressId: await deleteAddress(em(), customerIdOf(ctx.principal), request.addressId),
      }),
    },
    setDefaultAddress: {
      access: customer,
      handle: async (request, ctx) => ({
        address: await setDefaultAddress(em(), customerIdOf(ctx.principal), request.addressId),
      }),
    },

    addPaymentMethod: {
      access: customer,
      handle: async (request, ctx) => ({
        paymentMethod: await addPaymentMethod(
          em(),
          deps.vault,
          customerIdOf(ctx.principal),
          request,
          ctx.logger,
        ),
      }),
    },
    listPaymentMethods: {
      access: customer,
      handle: async (_request, ctx) => ({
        paymentMethods: await listPaymentMethods(em(), customerIdOf(ctx.principal)),
      }),
    },
    removePaymentMethod: {
      access: customer,
      handle: async (request, ctx) => ({
        newDefaultPaymentMethodId: await removePaymentMethod(
          em(),
          deps.vault,
          customerIdOf(ctx.principal),
          request.paymentMethodId,
        ),
      }),
    },
    setDefaultPaymentMethod: {
      access: customer,
      handle: async (request, ctx) => ({
        paymentMethod: await setDefaultPaymentMethod(
          em(),
          customerIdOf(ctx.principal),
          request.paymentMethodId,
        ),
      }),
    },

    getPreference: {
      access: customer,
      handle: async (request, ctx) => ({
        preference: await getPreference(em(), customerIdOf(ctx.principal), request.key),
      }),
    },
    setPreference: {
      access: customer,
      handle: async (request, ctx) => ({
        preference: await setPreference(em(), customerIdOf(ctx.principal), request.key, request.valueJson),
      }),
    },
    deletePreference: {
      access: customer,
      handle: async (request, ctx) => {
        await deletePreference(em(), customerIdOf(ctx.principal), request.key);
        return {};
      },
    },

    addWishlistItem: {
      access: customer,
      handle: async (request, ctx) => ({
        item: await addWishlistItem(em(), deps.catalog, customerIdOf(ctx.principal), request),
      }),
    },
    listWishlist: {
      access: customer,
      handle: async (request, ctx) => listWishlist(em(), customerIdOf(ctx.principal), request),
    },
    removeWishlistItem: {
      access: customer,
      handle: async (request, ctx) => {
        await removeWishlistItem(em(), customerIdOf(ctx.principal), request.productId);
        return {};
      },
    },
  };
}
