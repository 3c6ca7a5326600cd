import { expect } from 'chai';
import * as grpc from '@grpc/grpc-js';
import { AuthServiceService, type AuthServiceServer } from '../../gen/ecommerce/auth/v1/auth.js';
import { Cart, CartServiceService, type CartServiceServer } from '../../gen/ecommerce/cart/v1/cart.js';
import {
  ProductServiceService,
  ProductStatus,
  Product,
  type ProductServiceServer,
} from '../../gen/ecommerce/product/v1/product.js';
import {
  ShippingMethod,
  ShippingOption,
  ShippingServiceService,
  ShippingZone,
  type ShippingServiceServer,
} from '../../gen/ecommerce/shipping/v1/shipping.js';
import { runLoad } from './driver.js';
import { scenarioNamed } from './scenarios.js';

const ADMIN = { email: 'admin@example.com', password: 'admin-password' };
const TOKEN = 'admin-token';

function fail(code: grpc.status, details: string): Partial<grpc.ServiceError> {
  return { code, details, message: `${code} ${details}` };
}

function authorized(call: grpc.ServerUnaryCall<unknown, unknown>): boolean {
  return call.metadata.get('authorization')[0] === `Bearer ${TOKEN}`;
}

/**
 * Stand-ins for the auth, product, cart and shipping services, just faithful enough to the
 * contracts for the scenarios' requests: an admin login, DRAFT products readable only with the
 * admin token, AddItem that accepts only ACTIVE products, and quotes offering the methods of the
 * zone whose postal pattern is the destination's.
 */
function fakeServices() {
  const products = new Map<string, Product>();
  const registered = new Map<string, string>();
  const seen = {
    getProduct: 0,
    batchGetProducts: 0,
    listProducts: 0,
    addItem: 0,
    getCart: 0,
    login: 0,
    quoteShipping: 0,
    sessions: new Set<string>(),
  };
  const carts = new Map<string, Cart>();
  let nextId = 0;
  // The auth RPCs the scenarios never call answer UNIMPLEMENTED.
  const unimplemented = Object.fromEntries(
    Object.keys(AuthServiceService).map((name) => [
      name,
      (_call: unknown, callback: grpc.sendUnaryData<never>) =>
        callback(fail(grpc.status.UNIMPLEMENTED, `${name} is not part of this fake`)),
    ]),
  ) as unknown as AuthServiceServer;
  const auth: AuthServiceServer = {
    ...unimplemented,
    register: (call, callback) => {
      registered.set(call.request.email, call.request.password);
      callback(null, { userId: `user-${registered.size}`, email: call.request.email });
    },
    login: (call, callback) => {
      seen.login++;
      const { email, password } = call.request;
      const ok = (email === ADMIN.email && password === ADMIN.password) || registered.get(email) === password;
      if (!ok) return callback(fail(grpc.status.UNAUTHENTICATED, 'wrong credentials'));
      callback(null, {
        accessToken: email === ADMIN.email ? TOKEN : 'customer-token',
        accessTokenExpiresAt: undefined,
        refreshToken: 'refresh',
        refreshTokenExpiresAt: undefined,
        userId: 'user',
        tokenType: 'Bearer',
      });
    },
    getJwks: (_call, callback) => callback(null, { keys: [] }),
  };
  // Only what the scenarios call; grpc-js answers UNIMPLEMENTED for the rest.
  const product: Pick<
    ProductServiceServer,
    'createProduct' | 'getProduct' | 'batchGetProducts' | 'listProducts'
  > = {
    createProduct: (call, callback) => {
      if (!authorized(call)) return callback(fail(grpc.status.UNAUTHENTICATED, 'no token'));
      const id = `00000000-0000-7000-8000-${String(++nextId).padStart(12, '0')}`;
      const created: Product = Product.fromPartial({
        id,
        sku: call.request.sku,
        name: call.request.name,
        slug: call.request.slug,
        description: call.request.description,
        price: call.request.price,
        // As the product service: published at once unless asked for a draft.
        status: call.request.draft ? ProductStatus.PRODUCT_STATUS_DRAFT : ProductStatus.PRODUCT_STATUS_ACTIVE,
        variants: call.request.variants.map((variant, k) => ({
          id: `${id}-v${k}`,
          sku: variant.sku,
          name: variant.name,
          price: call.request.price,
          availableQuantity: variant.initialStock,
        })),
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      products.set(id, created);
      callback(null, { product: created });
    },
    getProduct: (call, callback) => {
      seen.getProduct++;
      const lookup = call.request.lookup;
      const found = lookup?.$case === 'id' ? products.get(lookup.value) : undefined;
      if (!found || (found.status !== ProductStatus.PRODUCT_STATUS_ACTIVE && !authorized(call))) {
        return callback(fail(grpc.status.NOT_FOUND, 'no such product'));
      }
      callback(null, { product: found });
    },
    batchGetProducts: (call, callback) => {
      seen.batchGetProducts++;
      const found = call.request.ids.flatMap((id) => products.get(id) ?? []);
      callback(null, { products: found, missingIds: call.request.ids.filter((id) => !products.has(id)) });
    },
    // Pages by position; the token is the offset (the real one is a keyset cursor).
    listProducts: (call, callback) => {
      seen.listProducts++;
      const size = call.request.page?.pageSize || 50;
      const offset = Number(call.request.page?.pageToken || 0);
      const all = [...products.values()];
      const next = offset + size < all.length ? String(offset + size) : '';
      callback(null, { products: all.slice(offset, offset + size), page: { nextPageToken: next } });
    },
  };
  // Only what the scenarios call; grpc-js answers UNIMPLEMENTED for the rest.
  const cart: Pick<CartServiceServer, 'getCart' | 'addItem'> = {
    getCart: (call, callback) => {
      seen.getCart++;
      const found = carts.get(call.request.cartId);
      if (!found || found.sessionId !== call.request.sessionId)
        return callback(fail(grpc.status.NOT_FOUND, 'no cart'));
      callback(null, {
        cart: found,
        catalogCheck: 1,
        changedLines: [],
        pricingCheck: 1,
        discounts: undefined,
        coupon: undefined,
      });
    },
    addItem: (call, callback) => {
      seen.addItem++;
      const found = products.get(call.request.productId);
      if (!found) return callback(fail(grpc.status.NOT_FOUND, 'no such product'));
      if (found.status !== ProductStatus.PRODUCT_STATUS_ACTIVE) {
        return callback(fail(grpc.status.FAILED_PRECONDITION, 'product not on sale'));
      }
      seen.sessions.add(call.request.sessionId);
      const id = call.request.cartId || `cart-${carts.size + 1}`;
      const updated = Cart.fromPartial({
        id,
        sessionId: call.request.sessionId,
        itemCount: (carts.get(id)?.itemCount ?? 0) + 1,
      });
      carts.set(id, updated);
      callback(null, { cart: updated });
    },
  };
  // Only what the scenarios call: zones by postal pattern, each method offered at its base price.
  const zones = new Map<string, { patterns: string[]; methods: string[] }>();
  const rates: string[] = [];
  const shipping: Pick<
    ShippingServiceServer,
    'createCarrier' | 'createZone' | 'createShippingMethod' | 'createShippingRate' | 'quoteShipping'
  > = {
    createCarrier: (call, callback) => {
      if (!authorized(call)) return callback(fail(grpc.status.UNAUTHENTICATED, 'no token'));
      callback(null, { carrier: undefined });
    },
    createZone: (call, callback) => {
      if (!authorized(call)) return callback(fail(grpc.status.UNAUTHENTICATED, 'no token'));
      const id = `zone-${zones.size + 1}`;
      zones.set(id, { patterns: call.request.postalPatterns, methods: [] });
      callback(null, { zone: ShippingZone.fromPartial({ id, postalPatterns: call.request.postalPatterns }) });
    },
    createShippingMethod: (call, callback) => {
      if (!authorized(call)) return callback(fail(grpc.status.UNAUTHENTICATED, 'no token'));
      const zone = zones.get(call.request.zoneId);
      if (!zone) return callback(fail(grpc.status.NOT_FOUND, 'no zone'));
      const id = `${call.request.zoneId}-method-${zone.methods.length + 1}`;
      zone.methods.push(id);
      callback(null, { method: ShippingMethod.fromPartial({ id }) });
    },
    createShippingRate: (call, callback) => {
      if (!authorized(call)) return callback(fail(grpc.status.UNAUTHENTICATED, 'no token'));
      rates.push(call.request.methodId);
      callback(null, { rate: undefined });
    },
    quoteShipping: (call, callback) => {
      seen.quoteShipping++;
      const postalCode = call.request.destination?.postalCode ?? '';
      const zone = [...zones.values()].find((z) => z.patterns.includes(postalCode));
      const known = call.request.lines.every((line) => products.has(line.productId));
      if (!known) return callback(fail(grpc.status.NOT_FOUND, 'no such product'));
      callback(null, {
        options: (zone?.methods ?? []).map((methodId) => ShippingOption.fromPartial({ methodId })),
        totalWeightGrams: 0,
        zoneId: '',
      });
    },
  };
  return { auth, product, cart, shipping, products, registered, rates, seen };
}

describe('scenarios (against fake auth, product, cart and shipping services)', () => {
  let server: grpc.Server;
  let address: string;
  let fakes: ReturnType<typeof fakeServices>;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    fakes = fakeServices();
    server = new grpc.Server();
    server.addService(AuthServiceService, fakes.auth);
    server.addService(ProductServiceService, fakes.product);
    server.addService(CartServiceService, fakes.cart);
    server.addService(ShippingServiceService, fakes.shipping);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    address = `127.0.0.1:${port}`;
    env = {
      AUTH_GRPC_ADDR: address,
      PRODUCT_GRPC_ADDR: address,
      SHIPPING_GRPC_ADDR: address,
      BENCH_ADMIN_EMAIL: ADMIN.email,
      BENCH_ADMIN_PASSWORD: ADMIN.password,
      BENCH_PRODUCTS: '5',
    };
  });

  afterEach(() => server.forceShutdown());

  it('get-product: prepare logs in as the admin, creates the products, and calls read them as a shopper', async () => {
    const scenario = scenarioNamed('get-product');
    const context = await scenario.prepare(address, env);
    expect(fakes.products.size).to.equal(5);
    expect(JSON.parse(JSON.stringify(context))).to.deep.equal(context);
    const client = scenario.connect(address, {});
    try {
      for (let i = 0; i < 10; i++) await scenario.call(client, context, i, new Date(Date.now() + 5_000));
    } finally {
      client.close();
    }
    expect(fakes.seen.getProduct).to.equal(11); // the check in prepare, then ten calls
  });

  it('batch-get-products: prepare creates the products; each call asks for BENCH_BATCH_SIZE of them', async () => {
    const scenario = scenarioNamed('batch-get-products');
    const context = await scenario.prepare(address, { ...env, BENCH_BATCH_SIZE: '3' });
    expect(fakes.products.size).to.equal(5);
    const client = scenario.connect(address, {});
    try {
      for (let i = 0; i < 4; i++) await scenario.call(client, context, i, new Date(Date.now() + 5_000));
    } finally {
      client.close();
    }
    expect(fakes.seen.batchGetProducts).to.equal(5);
  });

  it('list-products: creates products when the catalog is empty, collects page tokens, rotates over them', async () => {
    const scenario = scenarioNamed('list-products');
    const context = (await scenario.prepare(address, {
      ...env,
      BENCH_PAGE_SIZE: '2',
      BENCH_LIST_PAGES: '5',
    })) as {
      requests: { page: { pageToken: string } }[];
    };
    expect(fakes.products.size).to.equal(5);
    // 5 products in pages of 2: three pages for each of the four sort orders.
    expect(context.requests).to.have.length(12);
    expect(context.requests.slice(0, 3).map((request) => request.page.pageToken)).to.deep.equal([
      '',
      '2',
      '4',
    ]);
    const client = scenario.connect(address, {});
    const before = fakes.seen.listProducts;
    try {
      for (let i = 0; i < 6; i++) await scenario.call(client, context, i, new Date(Date.now() + 5_000));
    } finally {
      client.close();
    }
    expect(fakes.seen.listProducts - before).to.equal(6);
  });

  it('get-product: falls back to AUTH_BOOTSTRAP_ADMIN_* and says what is missing when neither is set', async () => {
    const scenario = scenarioNamed('get-product');
    const { BENCH_ADMIN_EMAIL: _email, BENCH_ADMIN_PASSWORD: _password, ...rest } = env;
    const missing = await scenario.prepare(address, rest).catch((error: Error) => error);
    expect((missing as Error).message).to.match(/BENCH_ADMIN_EMAIL/);
    await scenario.prepare(address, {
      ...rest,
      AUTH_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      AUTH_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
    expect(fakes.products.size).to.equal(5);
  });

  it('get-product: runs under the driver with the prepared context reaching the workers', async () => {
    const context = await scenarioNamed('get-product').prepare(address, env);
    const result = await runLoad({
      scenario: 'get-product',
      target: address,
      context,
      inFlight: 4,
      clients: 2,
      durationSeconds: 0.5,
      warmupSeconds: 0,
    });
    expect(result.calls).to.be.greaterThan(0);
    expect(result.errors).to.deep.equal({});
  });

  it('add-item: prepare explains that the product it is given must be published', async () => {
    await scenarioNamed('get-product').prepare(address, env);
    const draft = [...fakes.products.values()][0]!;
    draft.status = ProductStatus.PRODUCT_STATUS_DRAFT;
    const error = await scenarioNamed('add-item')
      .prepare(address, {
        ...env,
        BENCH_CART_PRODUCT_ID: draft.id,
        BENCH_CART_VARIANT_ID: draft.variants[0]!.id,
      })
      .catch((failure: Error) => failure);
    expect((error as Error).message).to.match(/not on sale.*BENCH_CART_PRODUCT_ID .* published product/);
  });

  it('add-item: with a published product, every call adds to a new guest cart', async () => {
    await scenarioNamed('get-product').prepare(address, env);
    const active = [...fakes.products.values()][0]!;
    const scenario = scenarioNamed('add-item');
    const context = await scenario.prepare(address, {
      ...env,
      BENCH_CART_PRODUCT_ID: active.id,
      BENCH_CART_VARIANT_ID: active.variants[0]!.id,
    });
    const client = scenario.connect(address, {});
    try {
      for (let i = 0; i < 5; i++) await scenario.call(client, context, i, new Date(Date.now() + 5_000));
    } finally {
      client.close();
    }
    expect(fakes.seen.sessions.size).to.equal(6);
    for (const session of fakes.seen.sessions) expect(session).to.match(/^[A-Za-z0-9_-]{16,128}$/);
  });

  it('get-cart: prepare fills BENCH_CARTS guest carts with three lines, and calls read them back', async () => {
    const scenario = scenarioNamed('get-cart');
    const context = (await scenario.prepare(address, { ...env, BENCH_CARTS: '4' })) as {
      carts: { cartId: string; sessionId: string }[];
    };
    expect(context.carts).to.have.length(4);
    expect(fakes.seen.addItem).to.equal(12);
    const client = scenario.connect(address, {});
    try {
      for (let i = 0; i < 8; i++) await scenario.call(client, context, i, new Date(Date.now() + 5_000));
    } finally {
      client.close();
    }
    expect(fakes.seen.getCart).to.equal(8);
  });

  it('login: prepare registers the users and calls log them in', async () => {
    const scenario = scenarioNamed('login');
    const context = await scenario.prepare(address, { ...env, BENCH_LOGIN_USERS: '3' });
    expect(fakes.registered.size).to.equal(3);
    const client = scenario.connect(address, {});
    try {
      for (let i = 0; i < 6; i++) await scenario.call(client, context, i, new Date(Date.now() + 5_000));
    } finally {
      client.close();
    }
    expect(fakes.seen.login).to.equal(6);
  });

  it('quote-shipping: prepare makes three weighed products and a zone of three methods; calls quote the basket as a guest', async () => {
    const scenario = scenarioNamed('quote-shipping');
    const context = (await scenario.prepare(address, env)) as {
      request: { lines: { productId: string }[]; destination: { postalCode: string } };
    };
    expect(JSON.parse(JSON.stringify(context))).to.deep.equal(context);
    expect(fakes.products.size).to.equal(3);
    expect(context.request.lines.map((line) => line.productId)).to.deep.equal([...fakes.products.keys()]);
    expect(fakes.rates).to.have.length(4);
    const client = scenario.connect(address, {});
    try {
      for (let i = 0; i < 5; i++) await scenario.call(client, context, i, new Date(Date.now() + 5_000));
    } finally {
      client.close();
    }
    expect(fakes.seen.quoteShipping).to.equal(6); // the check in prepare, then five calls
  });
});
