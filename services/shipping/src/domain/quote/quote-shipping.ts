import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  QuoteShippingRequest,
  ShippingOption,
} from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { checked } from '../../../../../lib/validation/index.js';
import { serviceTypeMessage } from '../service-types.js';
import { weighBasket, type BasketWeight } from './basket-weight.js';
import type { Catalog } from './catalog.js';
import { priceOf } from './pricing.js';
import { quoteInputOf, type QuoteInput } from './quote-input.js';
import { decidingZone } from './zone-matching.js';
import { loadZoneOffers, type ZoneOffers } from './zone-offers.js';

/** What a destination and basket are offered: the deciding zone's methods that apply, priced. */
export interface Quote {
  options: ShippingOption[];
  totalWeightGrams: number;
  /** The zone that decided; '' when none matches. */
  zoneId: string;
}

/**
 * The quote for a checked input, given the candidate zones and the basket's weight: the deciding
 * zone's methods priced in the subtotal's currency that have a price for this basket, cheapest
 * first, then the shorter estimate, then the method id.
 */
export function quoteOf(zones: readonly ZoneOffers[], input: QuoteInput, weight: BasketWeight): Quote {
  const zone = decidingZone(zones, input.destination);
  const options: ShippingOption[] = [];
  for (const method of zone?.methods ?? []) {
    if (method.currency !== input.subtotal.currencyCode) continue;
    const price = priceOf(method, { ...weight, subtotal: input.subtotal.amountMinor });
    if (price === undefined) continue;
    options.push({
      methodId: method.id,
      name: method.name,
      carrierCode: method.carrierCode,
      serviceType: serviceTypeMessage(method.serviceType),
      price: { currencyCode: method.currency, amountMinor: price },
      estimatedDays: method.estimatedDays,
      zoneId: method.zoneId,
    });
  }
  options.sort(
    (a, b) =>
      a.price!.amountMinor - b.price!.amountMinor ||
      a.estimatedDays - b.estimatedDays ||
      (a.methodId < b.methodId ? -1 : a.methodId > b.methodId ? 1 : 0),
  );
  return { options, totalWeightGrams: weight.grams, zoneId: zone?.id ?? '' };
}

/**
 * Prices a basket for a destination. The weights come from the product service (one call) and the
 * zones, methods and tiers from one query, both at once and outside any transaction: the quote
 * writes nothing.
 */
export async function priceBasket(em: EntityManager, catalog: Catalog, input: QuoteInput): Promise<Quote> {
  const [weight, zones] = await Promise.all([
    weighBasket(catalog, input.lines),
    loadZoneOffers(em, input.destination.country),
  ]);
  return quoteOf(zones, input, weight);
}

/** QuoteShipping: every method that applies, cheapest first; none is an empty answer. */
export async function quoteShipping(
  em: EntityManager,
  catalog: Catalog,
  request: QuoteShippingRequest,
): Promise<Quote> {
  const input = checked((v) => quoteInputOf(v, request));
  return priceBasket(em, catalog, input);
}
