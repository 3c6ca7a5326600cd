import { UserServiceClient } from '../../../../gen/ecommerce/user/v1/user.js';
import type { Env } from '../../../../lib/config/index.js';
import { notFound } from '../../../../lib/errors.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import type { SavedAddresses } from '../domain/checkout/place-order.js';

/**
 * A customer's address book, read as that customer: the caller's token is relayed (the call runs
 * while PlaceOrder is being answered), so the user service shows only the caller's addresses.
 */
export function userServiceAddresses(env: Env): SavedAddresses & { close(): void } {
  const client = createServiceClient(UserServiceClient, 'user', env);
  return {
    async savedAddress(addressId) {
      const { addresses } = await client.listAddresses({ type: 0 });
      const saved = addresses.find((entry) => entry.id === addressId)?.address;
      if (!saved) throw notFound('saved address', addressId);
      return { ...saved };
    },
    close: () => client.close(),
  };
}
