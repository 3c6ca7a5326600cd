import type { Address } from '../../../../../gen/ecommerce/common/v1/address.js';
import type { ShippingLine } from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { COUNTRY_CODES } from '../../../../../lib/iso-3166.js';
import { isCurrencyCode, MAX_AMOUNT_MINOR, type Money } from '../../../../../lib/money.js';
import type { Violations } from '../../../../../lib/validation/index.js';
import { normalisedPostal, normalisedState, type Destination } from './zone-matching.js';

export const MAX_LINES = 100;
export const MAX_LINE_QUANTITY = 100_000;

/** A quote's request, checked: where, what (lines), and the subtotal. */
export interface QuoteInput {
  destination: Destination;
  lines: { productId: string; variantId: string; quantity: number }[];
  subtotal: Money;
}

/** Checks the fields of a QuoteShipping or ConfirmShippingMethod request into `v`. */
export function quoteInputOf(
  v: Violations,
  request: { destination: Address | undefined; lines: readonly ShippingLine[]; subtotal: Money | undefined },
): QuoteInput {
  const address = request.destination;
  if (!address) v.add('destination', 'is required');
  else if (!COUNTRY_CODES.has(address.country)) {
    v.add('destination.country', 'must be an assigned ISO 3166-1 alpha-2 code in upper case, e.g. DE');
  }
  const state = v.optionalText('destination.state', address?.state ?? '', 100);
  const postalCode = normalisedPostal(address?.postalCode ?? '');
  if (postalCode.length > 20) v.add('destination.postal_code', 'must be at most 20 characters');

  if (request.lines.length === 0) v.add('lines', 'give at least one line');
  else if (request.lines.length > MAX_LINES) v.add('lines', `must have at most ${MAX_LINES} entries`);
  const lines = request.lines.slice(0, MAX_LINES).map((line, i) => ({
    productId: v.uuid(`lines[${i}].product_id`, line.productId),
    variantId: v.uuid(`lines[${i}].variant_id`, line.variantId),
    quantity: v.wholeNumber(`lines[${i}].quantity`, line.quantity, 1, MAX_LINE_QUANTITY),
  }));

  const subtotal = request.subtotal;
  if (!subtotal) v.add('subtotal', 'is required');
  else {
    if (!isCurrencyCode(subtotal.currencyCode))
      v.add('subtotal.currency_code', 'must be an ISO 4217 code such as EUR');
    if (
      !Number.isSafeInteger(subtotal.amountMinor) ||
      subtotal.amountMinor < 0 ||
      subtotal.amountMinor > MAX_AMOUNT_MINOR
    )
      v.add('subtotal.amount_minor', `must be a whole number of minor units from 0 to ${MAX_AMOUNT_MINOR}`);
  }
  return {
    destination: {
      country: address?.country ?? '',
      state: state === null ? null : normalisedState(state),
      postalCode: postalCode === '' ? null : postalCode,
    },
    lines,
    subtotal: { currencyCode: subtotal?.currencyCode ?? '', amountMinor: subtotal?.amountMinor ?? 0 },
  };
}
