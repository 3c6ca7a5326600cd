import {
  DiscountServiceClient,
  type Customer,
  type PriceLine,
} from '../../../../gen/ecommerce/discount/v1/discount.js';
import type { ServiceTokenProvider } from '../../../../lib/auth/service-token-source.js';
import type { Env } from '../../../../lib/config/index.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import type { Discounts, PricingCustomer, PricingLine } from '../domain/discounts.js';

function customerOf(customerId: PricingCustomer): Customer | undefined {
  return customerId === null ? undefined : { identity: { $case: 'userId', value: customerId } };
}

function priceLinesOf(currencyCode: string, lines: readonly PricingLine[]): PriceLine[] {
  return lines.map((line) => ({
    lineId: line.itemId,
    productId: line.productId,
    variantId: line.variantId,
    categoryIds: [...line.categoryIds],
    unitPrice: { currencyCode, amountMinor: line.unitPrice },
    quantity: line.quantity,
  }));
}

/**
 * Coupons and pricing as the discount service answers them. Both RPCs are internal: calls carry
 * this service's own token (`serviceToken`), never the shopper's (a guest has none). Through the
 * breaker-guarded client: a discount service that is down answers UNAVAILABLE (at once while the
 * breaker is open); a refusal of the coupon reaches the domain with the discount service's code,
 * message and reason. Both RPCs have no side effects, so the client retries transient failures.
 */
export function discountServiceDiscounts(
  env: Env,
  serviceToken: ServiceTokenProvider,
): Discounts & { close(): void } {
  const client = createServiceClient(DiscountServiceClient, 'discount', env, { serviceToken });
  return {
    async checkCoupon({ code, currency, customerId, lines }) {
      await client.checkCoupon({
        couponCode: code,
        currencyCode: currency,
        customer: customerOf(customerId),
        lines: priceLinesOf(currency, lines),
      });
    },
    priceCart: ({ currency, customerId, couponCode, lines }) =>
      client.priceCart({
        currencyCode: currency,
        lines: priceLinesOf(currency, lines),
        shipping: undefined,
        customer: customerOf(customerId),
        couponCode: couponCode ?? '',
      }),
    close: () => client.close(),
  };
}
