import { expect } from 'chai';
import * as grpc from '@grpc/grpc-js';
import { AuthServiceService, type AuthServiceServer } from '../../gen/ecommerce/auth/v1/auth.js';
import {
  DiscountServiceService,
  PriceCartResponse,
  Promotion,
  PromotionStatus,
  type DiscountServiceServer,
} from '../../gen/ecommerce/discount/v1/discount.js';
import { scenarioNamed } from './scenarios.js';

const ADMIN = { email: 'admin@example.com', password: 'admin-password' };

/** Stand-ins for the auth and discount services, just enough for the price-cart scenarios. */
function fakeServices(activeAlready: number) {
  const created: Promotion[] = [];
  let priced = 0;
  const login: Pick<AuthServiceServer, 'login'> = {
    login: (call, callback) =>
      call.request.password === ADMIN.password
        ? callback(null, {
            accessToken: 'admin-token',
            refreshToken: '',
            userId: 'admin',
            tokenType: 'Bearer',
          } as never)
        : callback({ code: grpc.status.UNAUTHENTICATED, details: 'wrong credentials' }),
  };
  const discount: Pick<DiscountServiceServer, 'createPromotion' | 'listPromotions' | 'priceCart'> = {
    createPromotion: (call, callback) => {
      const promotion = Promotion.fromPartial({ id: `p${created.length}`, name: call.request.name });
      created.push(promotion);
      callback(null, { promotion });
    },
    listPromotions: (call, callback) => {
      expect(call.request.status).to.equal(PromotionStatus.PROMOTION_STATUS_ACTIVE);
      const all = Array.from({ length: activeAlready + created.length }, (_, k) =>
        Promotion.fromPartial({ id: `a${k}` }),
      );
      const offset = Number(call.request.page?.pageToken || 0);
      const next = offset + 100 < all.length ? String(offset + 100) : '';
      callback(null, { promotions: all.slice(offset, offset + 100), page: { nextPageToken: next } });
    },
    priceCart: (call, callback) => {
      priced++;
      expect(call.metadata.get('authorization')).to.deep.equal(['Bearer admin-token']);
      expect(call.request.lines).to.have.length(5);
      callback(
        null,
        PriceCartResponse.fromPartial({ totals: { discount: { currencyCode: 'EUR', amountMinor: 100 } } }),
      );
    },
  };
  return { login, discount, created, priced: () => priced };
}

describe('scenarios price-cart and price-cart-1000 (against fake auth and discount services)', () => {
  let server: grpc.Server;
  let address: string;

  async function serve(activeAlready: number) {
    const fakes = fakeServices(activeAlready);
    server = new grpc.Server();
    server.addService(AuthServiceService, fakes.login as never);
    server.addService(DiscountServiceService, fakes.discount as never);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    address = `127.0.0.1:${port}`;
    return fakes;
  }
  const env = () => ({
    AUTH_GRPC_ADDR: address,
    BENCH_ADMIN_EMAIL: ADMIN.email,
    BENCH_ADMIN_PASSWORD: ADMIN.password,
  });

  afterEach(() => server?.forceShutdown());

  it('tops the service up to its number of active promotions, then prices 5-line carts', async () => {
    const fakes = await serve(250);
    const scenario = scenarioNamed('price-cart-1000');
    const context = await scenario.prepare(address, env());
    // 10 promotions every cart matches, and 740 others: 1000 active in all.
    expect(fakes.created).to.have.length(750);
    expect(fakes.created[0]!.name).to.equal('bench price-cart-1000 0');
    const client = scenario.connect(address, {});
    try {
      for (let i = 0; i < 3; i++) await scenario.call(client, context, i, new Date(Date.now() + 5_000));
    } finally {
      client.close();
    }
    expect(fakes.priced()).to.equal(4); // the check in prepare, then three calls
  });

  it('refuses to prepare on a service with more promotions active than it measures', async () => {
    await serve(5);
    const error = await scenarioNamed('price-cart')
      .prepare(address, env())
      .catch((failure: Error) => failure);
    expect((error as Error).message).to.match(/5 promotions are active already; price-cart needs at most 0/);
  });
});
