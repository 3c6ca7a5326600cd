import {
  DiscountServiceClient,
  DiscountSourceKind,
  type Customer,
} from '../../../../gen/ecommerce/discount/v1/discount.js';
import type { ServiceTokenProvider } from '../../../../lib/auth/service-token-source.js';
import type { Env } from '../../../../lib/config/index.js';
import { createServiceClient } from '../../../../lib/grpc/index.js';
import { CHECKOUT_CALL_DEADLINE_MS } from '../domain/checkout/checkout-ports.js';
import { money } from '../../../../lib/money.js';
import type { Buyer, DiscountPort } from '../domain/checkout/checkout-ports.js';

/** The discount service's pricing and usage by order, asked as this service. */
export function discountServiceDesk(
  env: Env,
  serviceToken: ServiceTokenProvider,
): DiscountPort & { close(): void } {
  const client = createServiceClient(DiscountServiceClient, 'discount', env, {
    serviceToken,
    defaultDeadlineMs: CHECKOUT_CALL_DEADLINE_MS,
  });
  return {
    async price({ currency, lines, shippingMinor, buyer, couponCode }) {
      const priced = await client.priceCart({
        currencyCode: currency,
        lines: lines.map((line) => ({
          lineId: line.lineId,
          productId: line.productId,
          variantId: line.variantId,
          categoryIds: line.categoryIds,
          unitPrice: money(currency, line.unitPriceMinor),
          quantity: line.quantity,
        })),
        shipping: money(currency, shippingMinor),
        customer: customerOf(buyer),
        couponCode: couponCode ?? '',
      });
      const promotions = new Map<string, number>();
      for (const applied of priced.applied) {
        if (applied.source?.kind !== DiscountSourceKind.DISCOUNT_SOURCE_KIND_PROMOTION) continue;
        const id = applied.source.id;
        promotions.set(id, (promotions.get(id) ?? 0) + (applied.amount?.amountMinor ?? 0));
      }
      const coupon = priced.coupon;
      return {
        lineDiscounts: Object.fromEntries(
          priced.lines.map((line) => [line.lineId, line.discount?.amountMinor ?? 0]),
        ),
        shippingDiscountMinor: priced.totals?.shippingDiscount?.amountMinor ?? 0,
        couponRefusal:
          coupon && !coupon.applied && coupon.refusal
            ? { reason: coupon.refusal.reason, message: coupon.refusal.message }
            : null,
        couponDiscountMinor: coupon?.applied ? (coupon.discount?.amountMinor ?? 0) : 0,
        promotions: [...promotions].map(([promotionId, discountMinor]) => ({ promotionId, discountMinor })),
      };
    },
    async reserve({ orderId, buyer, currency, couponCode, couponDiscountMinor, promotions }) {
      await client.reserveDiscountUsage({
        orderId,
        customer: customerOf(buyer),
        currencyCode: currency,
        couponCode: couponCode ?? '',
        couponDiscount: couponCode ? money(currency, couponDiscountMinor) : undefined,
        promotions: promotions.map((promotion) => ({
          promotionId: promotion.promotionId,
          discount: money(currency, promotion.discountMinor),
        })),
      });
    },
    async redeem(orderId) {
      await client.redeemDiscountUsage({ orderId });
    },
    async release(orderId) {
      await client.releaseDiscountUsage({ orderId });
    },
    close: () => client.close(),
  };
}

function customerOf(buyer: Buyer): Customer {
  return {
    identity:
      'userId' in buyer
        ? { $case: 'userId', value: buyer.userId }
        : { $case: 'guestEmail', value: buyer.guestEmail },
  };
}
