import { ProductServiceClient } from '../../../../gen/ecommerce/product/v1/product.js';
import type { ServiceTokenProvider } from '../../../../lib/auth/service-token-source.js';
import type { Env } from '../../../../lib/config/index.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import type { Restocking } from '../domain/ports.js';

/** The product service's Restock, asked as this service (breaker-guarded, service token). */
export function productServiceRestocking(
  env: Env,
  serviceToken: ServiceTokenProvider,
): Restocking & { close(): void } {
  const client = createServiceClient(ProductServiceClient, 'product', env, { serviceToken });
  return {
    async restock(restockId, lines, reason) {
      await client.restock({ restockId, lines, reason });
    },
    close: () => client.close(),
  };
}
