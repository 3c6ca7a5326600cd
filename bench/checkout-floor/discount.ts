/**
 * The checkout floor's discount role (base port + 8): PriceCart of a shop without promotions, in
 * memory (the real service answers from its cache of the active promotions too). A coupon is
 * refused as unknown. No database, no events; everything else is UNIMPLEMENTED.
 */
import {
  DiscountServiceService,
  PriceCartResponse,
  type DiscountServiceServer,
  type PriceCartRequest,
} from '../../gen/ecommerce/discount/v1/discount.js';
import { answer, floorOptions, ready, serve, stopServer } from './shared.js';

const options = floorOptions();

const handlers: Partial<DiscountServiceServer> = {
  priceCart: answer(async (request: PriceCartRequest) => {
    const money = (amountMinor: number) => ({ currencyCode: request.currencyCode, amountMinor });
    const lines = request.lines.map((line) => {
      const subtotal = money((line.unitPrice?.amountMinor ?? 0) * line.quantity);
      return { lineId: line.lineId, subtotal, adjustments: [], discount: money(0), total: subtotal };
    });
    const subtotal = money(lines.reduce((sum, line) => sum + line.subtotal.amountMinor, 0));
    const shipping = money(request.shipping?.amountMinor ?? 0);
    const code = request.couponCode.trim().toUpperCase();
    return PriceCartResponse.fromPartial({
      currencyCode: request.currencyCode,
      lines,
      coupon: code
        ? {
            code,
            applied: false,
            discount: money(0),
            refusal: { reason: 'COUPON_NOT_FOUND', message: `There is no coupon ${code}.` },
          }
        : undefined,
      totals: {
        subtotal,
        lineDiscount: money(0),
        orderDiscount: money(0),
        discountedSubtotal: subtotal,
        shipping,
        shippingDiscount: money(0),
        shippingTotal: shipping,
        discount: money(0),
        total: money(subtotal.amountMinor + shipping.amountMinor),
      },
    });
  }),
};

const server = await serve(options, 'discount', DiscountServiceService, handlers);
ready('discount', () => stopServer(server));
