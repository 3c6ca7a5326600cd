import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  DiscountServiceService,
  PriceCartResponse,
  type CheckCouponRequest,
  type DiscountServiceServer,
  type PriceCartRequest,
} from '../../../gen/ecommerce/discount/v1/discount.js';
import { DiscountReason } from '../../../lib/error-reasons.js';
import { resetBreakers } from '../../../lib/grpc/index.js';
import { statusDetailsTrailer } from '../../../lib/grpc/status-details.js';
import { newId } from '../../../lib/ids.js';
import { discountServiceDiscounts } from '../src/clients/discount-service.js';
import { failureOf } from './support.js';

/** A discount service answering CheckCoupon by code and PriceCart empty, keeping what it was sent. */
function fakeDiscountService() {
  const seen = {
    checkCoupon: [] as CheckCouponRequest[],
    priceCart: [] as PriceCartRequest[],
    authorizations: [] as string[],
  };
  const refuse = (code: grpc.status, message: string, reason: string) => ({
    code,
    details: message,
    metadata: statusDetailsTrailer(code, message, { why: { reason, metadata: { code: 'X' } } }),
  });
  const implementation: Pick<DiscountServiceServer, 'checkCoupon' | 'priceCart'> = {
    checkCoupon: (call, callback) => {
      seen.checkCoupon.push(call.request);
      seen.authorizations.push(...call.metadata.get('authorization').map(String));
      if (call.request.couponCode === 'OLD')
        return callback(
          refuse(grpc.status.FAILED_PRECONDITION, 'This coupon has expired.', DiscountReason.COUPON_EXPIRED),
        );
      if (call.request.couponCode === 'NOPE')
        return callback(
          refuse(grpc.status.NOT_FOUND, 'coupon NOPE not found', DiscountReason.COUPON_NOT_FOUND),
        );
      callback(null, { coupon: undefined, discount: undefined });
    },
    priceCart: (call, callback) => {
      seen.priceCart.push(call.request);
      seen.authorizations.push(...call.metadata.get('authorization').map(String));
      callback(null, PriceCartResponse.fromPartial({ currencyCode: call.request.currencyCode }));
    },
  };
  return { seen, implementation };
}

describe('cart service: the discount client', function () {
  this.timeout(30_000);
  let server: grpc.Server;
  let fake: ReturnType<typeof fakeDiscountService>;
  let discounts: ReturnType<typeof discountServiceDiscounts>;
  const serviceToken = { token: async () => 'cart-service-token' };
  const line = {
    itemId: newId(),
    productId: newId(),
    variantId: newId(),
    categoryIds: [newId()],
    unitPrice: 1250,
    quantity: 2,
  };

  beforeEach(async () => {
    resetBreakers();
    fake = fakeDiscountService();
    server = new grpc.Server();
    server.addService(DiscountServiceService, fake.implementation as DiscountServiceServer);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    discounts = discountServiceDiscounts({ DISCOUNT_GRPC_ADDR: `127.0.0.1:${port}` }, serviceToken);
  });
  afterEach(() => {
    discounts.close();
    server.forceShutdown();
    resetBreakers();
  });

  it("asks with the cart service's own token: a customer by user id, a guest as nobody, lines in the cart's currency", async () => {
    const userId = newId();
    await discounts.checkCoupon({ code: 'TENOFF', currency: 'EUR', customerId: userId, lines: [line] });
    await discounts.priceCart({ currency: 'EUR', customerId: null, couponCode: null, lines: [line] });
    expect(fake.seen.authorizations).to.deep.equal([
      'Bearer cart-service-token',
      'Bearer cart-service-token',
    ]);
    const priceLine = {
      lineId: line.itemId,
      productId: line.productId,
      variantId: line.variantId,
      categoryIds: line.categoryIds,
      unitPrice: { currencyCode: 'EUR', amountMinor: 1250 },
      quantity: 2,
    };
    expect(fake.seen.checkCoupon).to.deep.equal([
      {
        couponCode: 'TENOFF',
        currencyCode: 'EUR',
        customer: { identity: { $case: 'userId', value: userId } },
        lines: [priceLine],
      },
    ]);
    expect(fake.seen.priceCart).to.deep.equal([
      { currencyCode: 'EUR', lines: [priceLine], shipping: undefined, customer: undefined, couponCode: '' },
    ]);
  });

  it("hands a refusal on with the discount service's status, message and reason", async () => {
    const expired = await failureOf(
      discounts.checkCoupon({ code: 'OLD', currency: 'EUR', customerId: null, lines: [] }),
    );
    expect([expired.code, expired.message, expired.reason]).to.deep.equal([
      grpc.status.FAILED_PRECONDITION,
      'This coupon has expired.',
      DiscountReason.COUPON_EXPIRED,
    ]);
    const unknown = await failureOf(
      discounts.checkCoupon({ code: 'NOPE', currency: 'EUR', customerId: null, lines: [] }),
    );
    expect([unknown.code, unknown.reason]).to.deep.equal([
      grpc.status.NOT_FOUND,
      DiscountReason.COUPON_NOT_FOUND,
    ]);
  });

  it('answers UNAVAILABLE when the discount service is gone', async () => {
    server.forceShutdown();
    const failure = await failureOf(
      discounts.priceCart({ currency: 'EUR', customerId: null, couponCode: 'TENOFF', lines: [line] }),
    );
    expect(failure.code).to.equal(grpc.status.UNAVAILABLE);
    expect(failure.message).to.match(/^discount service unavailable/);
  });
});
