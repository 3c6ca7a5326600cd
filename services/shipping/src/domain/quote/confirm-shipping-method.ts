import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  ConfirmShippingMethodRequest,
  ConfirmShippingMethodResponse,
} from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { ShippingReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition, notFound } from '../../../../../lib/errors.js';
import { checked } from '../../../../../lib/validation/index.js';
import type { Catalog } from './catalog.js';
import { quoteInputOf } from './quote-input.js';
import { priceBasket, type Quote } from './quote-shipping.js';

/** Why a chosen method does not apply (ErrorInfo metadata `cause`). */
export type UnavailableCause = 'inactive' | 'address' | 'currency' | 'no_rate';

interface MethodState {
  zone_id: string;
  currency: string;
  usable: boolean;
}

async function methodState(em: EntityManager, methodId: string): Promise<MethodState | undefined> {
  const [row] = await em.execute<MethodState[]>(
    `SELECT m.zone_id, m.currency, (m.is_active AND z.is_active AND COALESCE(c.is_active, false)) AS usable
       FROM shipping_methods m
       JOIN shipping_zones z ON z.id = m.zone_id
       LEFT JOIN carriers c ON c.code = m.carrier_code
      WHERE m.id = ?`,
    [methodId],
  );
  return row;
}

function causeOf(state: MethodState, quote: Quote, currency: string): UnavailableCause {
  if (!state.usable) return 'inactive';
  if (quote.zoneId !== state.zone_id) return 'address';
  if (state.currency !== currency) return 'currency';
  return 'no_rate';
}

/**
 * ConfirmShippingMethod: the chosen method's price for this destination and basket now, by the very
 * computation QuoteShipping makes (the price quoted is the price charged), or FAILED_PRECONDITION
 * SHIPPING_METHOD_NOT_AVAILABLE saying why it is not offered.
 */
export async function confirmShippingMethod(
  em: EntityManager,
  catalog: Catalog,
  request: ConfirmShippingMethodRequest,
): Promise<ConfirmShippingMethodResponse> {
  const { methodId, input } = checked((v) => ({
    methodId: v.uuid('method_id', request.methodId),
    input: quoteInputOf(v, request),
  }));
  const quote = await priceBasket(em, catalog, input);
  const option = quote.options.find((candidate) => candidate.methodId === methodId);
  if (option) return { option, totalWeightGrams: quote.totalWeightGrams };
  // Only a method that is not offered needs its own state read: to say why (or that it does not exist).
  const state = await methodState(em, methodId);
  if (!state) throw notFound('shipping method', methodId);
  const cause = causeOf(state, quote, input.subtotal.currencyCode);
  throw failedPrecondition(
    `shipping method ${methodId} is not available for this address and basket (${cause})`,
    ShippingReason.SHIPPING_METHOD_NOT_AVAILABLE,
    { method_id: methodId, cause },
  );
}
