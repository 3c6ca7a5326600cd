import { OrderReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition } from '../../../../../lib/errors.js';
import { computeTax } from '../tax/compute-tax.js';
import type { TaxRateTable } from '../tax/rate-table.js';
import type { CheckoutPorts } from './checkout-ports.js';
import { required, type CheckoutLine, type CheckoutState } from './checkout-state.js';
import type { SagaDefinition, SagaStep } from './saga-runner.js';

export interface CheckoutRules {
  taxRates: TaxRateTable;
  pricesIncludeTax: boolean;
}

/** The step from which the checkout only goes forward: the money has been taken. */
export const PIVOT_STEP = 'capture_payment';

/**
 * The checkout, step by step (the table in docs/architecture.md). Each step's remote effect is
 * keyed by the order id; each compensation gives back what its step may have taken.
 */
export function checkoutSaga(ports: CheckoutPorts, rules: CheckoutRules): SagaDefinition<CheckoutState> {
  const steps: SagaStep<CheckoutState>[] = [
    readCart(ports),
    reserveStock(ports),
    confirmShipping(ports),
    priceDiscounts(ports),
    computeTotals(rules),
    authorizePayment(ports),
    capturePayment(ports),
    confirmOrder(ports),
  ];
  return {
    steps,
    pivot: PIVOT_STEP,
    attemptsPerStep: 3,
    retryDelayMs: (failures) => 100 * 4 ** (failures - 1),
  };
}

export const FIRST_STEP = 'read_cart';

/**
 * Reads the cart and what the catalog sells its lines for now. A price that changed since the
 * shopper saw it refuses the order (PRICE_CHANGED), unless the shopper sent the total they accept
 * (it is compared once the total is known).
 */
function readCart(ports: CheckoutPorts): SagaStep<CheckoutState> {
  return {
    name: FIRST_STEP,
    async run({ request }) {
      const cart = await ports.cart.checkoutCart(request.cartId, request.owner);
      if (!cart.active) {
        throw failedPrecondition(`cart ${cart.id} is ${cart.status}`, OrderReason.CART_NOT_ACTIVE, {
          cart_id: cart.id,
          status: cart.status,
        });
      }
      if (cart.lines.length === 0) {
        throw failedPrecondition(`cart ${cart.id} is empty`, OrderReason.CART_EMPTY, { cart_id: cart.id });
      }
      const offers = await ports.catalog.offers(cart.lines);
      const notForSale = cart.lines.filter((line) => {
        const offer = offers.get(line.variantId);
        return !offer?.onSale || !offer.price || offer.price.currencyCode !== cart.currency;
      });
      if (notForSale.length > 0) {
        throw failedPrecondition(
          `no longer for sale: ${notForSale.map((line) => line.sku).join(', ')}`,
          OrderReason.NOT_FOR_SALE,
          { variant_ids: notForSale.map((line) => line.variantId).join(',') },
        );
      }
      const lines = cart.lines.map((line): CheckoutLine => {
        const offer = offers.get(line.variantId)!;
        return {
          lineId: line.itemId,
          productId: line.productId,
          variantId: line.variantId,
          productName: line.productName,
          sku: line.sku,
          quantity: line.quantity,
          unitPriceMinor: offer.price!.amountMinor,
          categoryIds: offer.categoryIds,
        };
      });
      const repriced = cart.lines.filter((line, i) => line.unitPriceMinor !== lines[i]!.unitPriceMinor);
      if (repriced.length > 0 && request.expectedTotal === null) {
        throw failedPrecondition(
          `prices changed since they were shown: ${repriced.map((line) => line.sku).join(', ')}`,
          OrderReason.PRICE_CHANGED,
          { variant_ids: repriced.map((line) => line.variantId).join(',') },
        );
      }
      return { currency: cart.currency, couponCode: cart.couponCode, lines };
    },
  };
}

function reserveStock(ports: CheckoutPorts): SagaStep<CheckoutState> {
  return {
    name: 'reserve_stock',
    async run(state) {
      const lines = required(state.lines, 'lines');
      await ports.catalog.reserve(state.orderId, lines);
      return {};
    },
    compensate: (state) => ports.catalog.release(state.orderId),
  };
}

function confirmShipping(ports: CheckoutPorts): SagaStep<CheckoutState> {
  return {
    name: 'confirm_shipping',
    async run(state) {
      const lines = required(state.lines, 'lines');
      const currency = required(state.currency, 'currency');
      const quote = await ports.shipping.confirm({
        methodId: state.request.shippingMethodId,
        address: state.request.address,
        lines,
        subtotal: { currencyCode: currency, amountMinor: subtotalOf(lines) },
      });
      if (quote.price.currencyCode !== currency) {
        throw failedPrecondition(
          `shipping method ${state.request.shippingMethodId} is priced in ${quote.price.currencyCode}, the cart in ${currency}`,
          OrderReason.SHIPPING_CURRENCY_MISMATCH,
          { shipping_method_id: state.request.shippingMethodId },
        );
      }
      return { shipping: { methodName: quote.methodName, priceMinor: quote.price.amountMinor } };
    },
  };
}

/**
 * Prices promotions and the coupon, then reserves their use. A coupon the shopper applied that no
 * longer applies refuses the order (with the coupon's reason) rather than charging more than shown.
 */
function priceDiscounts(ports: CheckoutPorts): SagaStep<CheckoutState> {
  return {
    name: 'reserve_discounts',
    async run(state) {
      const lines = required(state.lines, 'lines');
      const currency = required(state.currency, 'currency');
      const couponCode = state.couponCode ?? null;
      const pricing = await ports.discounts.price({
        currency,
        lines,
        shippingMinor: required(state.shipping, 'shipping').priceMinor,
        buyer: state.request.buyer,
        couponCode,
      });
      if (pricing.couponRefusal) {
        throw failedPrecondition(pricing.couponRefusal.message, pricing.couponRefusal.reason, {
          coupon_code: couponCode ?? '',
        });
      }
      if (usesDiscounts(couponCode, pricing.promotions)) {
        await ports.discounts.reserve({
          orderId: state.orderId,
          buyer: state.request.buyer,
          currency,
          couponCode,
          couponDiscountMinor: pricing.couponDiscountMinor,
          promotions: pricing.promotions,
        });
      }
      return {
        discounts: {
          lineDiscounts: pricing.lineDiscounts,
          shippingDiscountMinor: pricing.shippingDiscountMinor,
          couponDiscountMinor: pricing.couponDiscountMinor,
          promotions: pricing.promotions,
        },
      };
    },
    compensate: (state) => ports.discounts.release(state.orderId),
  };
}

/**
 * Tax on the discounted lines and shipping, and the totals every later step charges. The total the
 * shopper accepted, when sent, must be this one (TOTAL_CHANGED otherwise: nothing is charged).
 */
function computeTotals(rules: CheckoutRules): SagaStep<CheckoutState> {
  return {
    name: 'compute_totals',
    // The payment is asked for these totals: a recovery must ask for the same ones.
    checkpoint: true,
    async run(state) {
      const lines = required(state.lines, 'lines');
      const currency = required(state.currency, 'currency');
      const shipping = required(state.shipping, 'shipping');
      const discounts = required(state.discounts, 'discounts');
      const address = state.request.address;
      const lineDiscount = (line: CheckoutLine): number => discounts.lineDiscounts[line.lineId] ?? 0;
      const tax = computeTax(rules.taxRates, {
        currencyCode: currency,
        destination: { country: address.country, ...(address.state ? { region: address.state } : {}) },
        lines: lines.map((line) => ({
          lineId: line.lineId,
          amountMinor: line.unitPriceMinor * line.quantity - lineDiscount(line),
          quantity: line.quantity,
        })),
        shippingMinor: shipping.priceMinor - discounts.shippingDiscountMinor,
        pricesIncludeTax: rules.pricesIncludeTax,
      });
      const subtotalMinor = subtotalOf(lines);
      const discountTotalMinor =
        lines.reduce((sum, line) => sum + lineDiscount(line), 0) + discounts.shippingDiscountMinor;
      const grandTotalMinor =
        subtotalMinor -
        discountTotalMinor +
        shipping.priceMinor +
        (rules.pricesIncludeTax ? 0 : tax.taxTotalMinor);
      const expected = state.request.expectedTotal;
      if (expected && (expected.amountMinor !== grandTotalMinor || expected.currencyCode !== currency)) {
        throw failedPrecondition(
          `the total is ${grandTotalMinor} minor units of ${currency}, not the ${expected.amountMinor} ${expected.currencyCode} expected`,
          OrderReason.TOTAL_CHANGED,
          { total_minor: String(grandTotalMinor), currency_code: currency },
        );
      }
      return {
        tax: {
          lineTaxes: Object.fromEntries(tax.lines.map((line) => [line.lineId, line.taxMinor])),
          shippingTaxMinor: tax.shipping.taxMinor,
          jurisdiction: tax.jurisdiction,
        },
        totals: {
          subtotalMinor,
          discountTotalMinor,
          shippingTotalMinor: shipping.priceMinor,
          taxTotalMinor: tax.taxTotalMinor,
          grandTotalMinor,
        },
      };
    },
  };
}

/**
 * Authorises exactly the total computed above and captures it in the same call (one call to the
 * payment service instead of two). Nothing to authorise for a total of 0 (fully discounted). Once
 * authorised, the one-time token is dropped from the saved state. A capture that fails leaves the
 * payment authorised and fails the step: retried with the same keys, or given back (voided).
 */
function authorizePayment(ports: CheckoutPorts): SagaStep<CheckoutState> {
  return {
    name: 'authorize_payment',
    async run(state) {
      const totals = required(state.totals, 'totals');
      if (totals.grandTotalMinor === 0) return {};
      const { paymentId, captured } = await ports.payments.authorize({
        orderId: state.orderId,
        buyer: state.request.buyer,
        amount: { currencyCode: required(state.currency, 'currency'), amountMinor: totals.grandTotalMinor },
        source: state.request.payment,
        idempotencyKey: `${state.orderId}-authorize`,
        capture: true,
      });
      const payment = 'paymentToken' in state.request.payment ? { paymentToken: '' } : state.request.payment;
      return { paymentId, captured, request: { ...state.request, payment } };
    },
    compensate: (state) => ports.payments.undo(state.orderId, 'checkout cancelled'),
  };
}

/**
 * The pivot: from here the checkout only goes forward. The money was captured with its
 * authorisation; a saga recorded before that (or a payment answered authorised only) captures here.
 */
function capturePayment(ports: CheckoutPorts): SagaStep<CheckoutState> {
  return {
    name: PIVOT_STEP,
    checkpoint: true,
    async run(state) {
      if (!state.paymentId || state.captured) return {};
      const totals = required(state.totals, 'totals');
      await ports.payments.capture({
        paymentId: state.paymentId,
        amount: { currencyCode: required(state.currency, 'currency'), amountMinor: totals.grandTotalMinor },
        idempotencyKey: `${state.orderId}-capture`,
      });
      return {};
    },
  };
}

/** Commits the stock and redeems the discounts; the order itself is confirmed as the saga completes. */
function confirmOrder(ports: CheckoutPorts): SagaStep<CheckoutState> {
  return {
    name: 'confirm_order',
    async run(state) {
      await ports.catalog.commit(state.orderId);
      if (usesDiscounts(state.couponCode, required(state.discounts, 'discounts').promotions))
        await ports.discounts.redeem(state.orderId);
      return {};
    },
  };
}

/** An order without a coupon or a promotion has no discount usage to reserve or redeem. */
function usesDiscounts(couponCode: string | null | undefined, promotions: readonly unknown[]): boolean {
  return Boolean(couponCode) || promotions.length > 0;
}

function subtotalOf(lines: readonly CheckoutLine[]): number {
  return lines.reduce((sum, line) => sum + line.unitPriceMinor * line.quantity, 0);
}
