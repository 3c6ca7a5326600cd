import { randomBytes, randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { AuthServiceClient } from '../../gen/ecommerce/auth/v1/auth.js';
import { CartServiceClient } from '../../gen/ecommerce/cart/v1/cart.js';
import {
  CreatePromotionRequest,
  DiscountServiceClient,
  ListPromotionsRequest,
  PriceCartRequest,
  PromotionStatus,
} from '../../gen/ecommerce/discount/v1/discount.js';
import {
  CreateProductRequest,
  ListProductsRequest,
  ProductServiceClient,
  ProductSort,
  type Product,
} from '../../gen/ecommerce/product/v1/product.js';
import {
  CreateShippingMethodRequest,
  ServiceType,
  ShippingServiceClient,
  type QuoteShippingRequest,
} from '../../gen/ecommerce/shipping/v1/shipping.js';
import { PaymentServiceClient } from '../../gen/ecommerce/payment/v1/payment.js';
import {
  OrderServiceClient,
  OrderStatus,
  PlaceOrderRequest,
  type Order,
} from '../../gen/ecommerce/order/v1/order.js';
import { AddressType, UserServiceClient } from '../../gen/ecommerce/user/v1/user.js';
import { loadServiceClientSecret } from '../../lib/auth/service-secret.js';
import { DEFAULT_GRPC_PORTS, type ServiceName } from '../../lib/config/topology.js';
import { assertLoopback } from './address.js';
import { service as healthService } from 'grpc-health-check';
import { checkWith, createHealthClient, type HealthClient } from '../../lib/runtime/health-probe.js';

/**
 * A named load scenario. `prepare` runs once in the coordinator (it may create data through the
 * public RPCs) and returns a JSON-serialisable context that every worker receives; `connect`
 * opens one client (one channel) in a worker; `call` makes one RPC and rejects with the gRPC
 * error when it fails. `i` is unique across all workers of a run (0, 1, 2, … interleaved).
 */
export interface Scenario<C extends grpc.Client = grpc.Client, X = unknown> {
  name: string;
  summary: string;
  /** Environment variable holding the address of the service under load. */
  addressEnv: string;
  defaultAddress: string;
  prepare(target: string, env: NodeJS.ProcessEnv): Promise<X>;
  connect(target: string, options: grpc.ChannelOptions): C;
  call(client: C, ctx: X, i: number, deadline: Date): Promise<void>;
}

const insecure = grpc.credentials.createInsecure();
const PREPARE_DEADLINE_MS = 30_000;

/**
 * BENCH_RAW_RESPONSES=1: the clients of scenarios that do not read the answer leave it as undecoded
 * bytes (noop included, so a ratio compares like with like). The driver shares the machine's cores
 * with the services, and decoding an ~860-byte product costs it far more than an empty health
 * reply: with decoding, the GetProduct/noop ratio measures the driver as much as the service.
 */
function readsNoAnswer<C>(
  definition: grpc.ServiceDefinition,
  serviceName: string,
  decoding: () => C,
  target: string,
  options: grpc.ChannelOptions,
): C {
  if (process.env.BENCH_RAW_RESPONSES !== '1') return decoding();
  const undecoded = Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [
      name,
      { ...method, responseDeserialize: (bytes: Buffer) => bytes },
    ]),
  );
  const Client = grpc.makeGenericClientConstructor(undecoded, serviceName);
  return new Client(target, insecure, options) as unknown as C;
}

function deadlineIn(ms: number): Date {
  return new Date(Date.now() + ms);
}

/** `<SERVICE>_GRPC_ADDR`, the variable lib/config reads too, and the service's default port. */
function serviceAddress(service: ServiceName): { addressEnv: string; defaultAddress: string } {
  return {
    addressEnv: `${service.toUpperCase()}_GRPC_ADDR`,
    defaultAddress: `127.0.0.1:${DEFAULT_GRPC_PORTS[service]}`,
  };
}

function addressFromEnv(service: ServiceName, env: NodeJS.ProcessEnv): string {
  const { addressEnv, defaultAddress } = serviceAddress(service);
  return assertLoopback(env[addressEnv] || defaultAddress, addressEnv);
}

/** Adapts a grpc-js unary method (request, metadata, options, callback) to a promise. */
function unary<Req, Res>(
  method: (
    request: Req,
    metadata: grpc.Metadata,
    options: Partial<grpc.CallOptions>,
    callback: (error: grpc.ServiceError | null, response: Res) => void,
  ) => grpc.ClientUnaryCall,
  request: Req,
  metadata: grpc.Metadata,
  deadline: Date,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, metadata, { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** Runs one preparation step, naming it in the error when it fails. */
async function step<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** A short lower-case tag that keeps skus, slugs, emails and sessions of one prepare unique. */
function runTag(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

function positiveIntFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new Error(`${name} must be an integer 1-${max}`);
  return value;
}

async function withClient<C extends grpc.Client, T>(client: C, use: (client: C) => Promise<T>): Promise<T> {
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

/**
 * Logs in as the administrator: `BENCH_ADMIN_EMAIL` / `BENCH_ADMIN_PASSWORD`, falling back to the
 * auth service's own `AUTH_BOOTSTRAP_ADMIN_EMAIL` / `AUTH_BOOTSTRAP_ADMIN_PASSWORD`.
 */
async function adminToken(env: NodeJS.ProcessEnv): Promise<string> {
  const email = env.BENCH_ADMIN_EMAIL || env.AUTH_BOOTSTRAP_ADMIN_EMAIL;
  const password = env.BENCH_ADMIN_PASSWORD || env.AUTH_BOOTSTRAP_ADMIN_PASSWORD;
  if (!email || !password) {
    throw new Error(
      'this scenario creates products, which needs an admin: set BENCH_ADMIN_EMAIL and BENCH_ADMIN_PASSWORD ' +
        '(the AUTH_BOOTSTRAP_ADMIN_EMAIL / AUTH_BOOTSTRAP_ADMIN_PASSWORD the auth service was started with)',
    );
  }
  const address = addressFromEnv('auth', env);
  return step(`AuthService.Login as ${email} at ${address} (AUTH_GRPC_ADDR)`, () =>
    withClient(new AuthServiceClient(address, insecure), async (client) => {
      const reply = await unary(
        client.login.bind(client),
        { email, password },
        new grpc.Metadata(),
        deadlineIn(PREPARE_DEADLINE_MS),
      );
      return reply.accessToken;
    }),
  );
}

/**
 * Creates `count` products (one variant each, plenty of stock) through ProductService.CreateProduct;
 * product k weighs `weights[k]` grams when given.
 */
async function createProducts(
  target: string,
  token: string,
  count: number,
  weights: readonly number[] = [],
): Promise<Product[]> {
  const tag = runTag();
  const products = new ProductServiceClient(target, insecure);
  return step(`ProductService.CreateProduct at ${target}`, () =>
    withClient(products, async (client) => {
      const created: Product[] = [];
      for (let k = 0; k < count; k++) {
        const sku = `bench-${tag}-${k}`;
        const reply = await unary(
          client.createProduct.bind(client),
          CreateProductRequest.fromPartial({
            sku,
            name: `Bench product ${k}`,
            slug: sku,
            description: 'Created by bench/load/scenarios.ts for load tests.',
            price: { currencyCode: 'USD', amountMinor: 1999 },
            variants: [{ sku: `${sku}-v`, name: 'Default', initialStock: 1_000_000 }],
            weightGrams: weights[k],
          }),
          bearer(token),
          deadlineIn(PREPARE_DEADLINE_MS),
        );
        if (!reply.product?.id || !reply.product.variants[0]?.id) {
          throw new Error(`CreateProduct for ${sku} returned no product id or variant id`);
        }
        created.push(reply.product);
      }
      return created;
    }),
  );
}

/** grpc.health.v1 Check: no application code at all, the ceiling of the gRPC stack. */
const noop: Scenario<HealthClient, Record<string, never>> = {
  name: 'noop',
  summary: 'grpc.health.v1.Health/Check on a service port (the framework ceiling)',
  ...serviceAddress('product'),
  async prepare() {
    return {};
  },
  connect(target, options) {
    return readsNoAnswer(
      healthService,
      'grpc.health.v1.Health',
      () => createHealthClient(target, options),
      target,
      options,
    );
  },
  async call(client, _ctx, _i, deadline) {
    await checkWith(client, deadline);
  },
};

interface GetProductContext {
  productIds: string[];
}

/**
 * ProductService.GetProduct by id as a shopper (no token: storefront traffic, served through the
 * product service's read cache), round-robin over BENCH_PRODUCTS (default 100) new products.
 */
const getProduct: Scenario<ProductServiceClient, GetProductContext> = {
  name: 'get-product',
  summary:
    'ProductService.GetProduct by id as a shopper over BENCH_PRODUCTS (100) products created in prepare',
  ...serviceAddress('product'),
  async prepare(target, env) {
    const token = await adminToken(env);
    const products = await createProducts(
      target,
      token,
      positiveIntFromEnv(env, 'BENCH_PRODUCTS', 100, 10_000),
    );
    const ctx = { productIds: products.map((product) => product.id) };
    // Fail here, not in every call of the run, if a created product cannot be read back.
    await step(`ProductService.GetProduct of a created product at ${target}`, () =>
      withClient(getProduct.connect(target, {}), (client) =>
        getProduct.call(client, ctx, 0, deadlineIn(PREPARE_DEADLINE_MS)),
      ),
    );
    return ctx;
  },
  connect(target, options) {
    return readsNoAnswer(
      ProductServiceClient.service,
      ProductServiceClient.serviceName,
      () => new ProductServiceClient(target, insecure, options),
      target,
      options,
    );
  },
  async call(client, ctx, i, deadline) {
    const id = ctx.productIds[i % ctx.productIds.length]!;
    await unary(client.getProduct.bind(client), { lookup: { $case: 'id', value: id } }, bearer(''), deadline);
  },
};

/** BatchGetProducts of BENCH_BATCH_SIZE (20) ids, sliding over the products created in prepare. */
const batchGetProducts: Scenario<ProductServiceClient, GetProductContext & { batchSize: number }> = {
  name: 'batch-get-products',
  summary:
    'ProductService.BatchGetProducts of BENCH_BATCH_SIZE (20) ids as a shopper, over BENCH_PRODUCTS (100) new products',
  ...serviceAddress('product'),
  async prepare(target, env) {
    const token = await adminToken(env);
    const products = await createProducts(
      target,
      token,
      positiveIntFromEnv(env, 'BENCH_PRODUCTS', 100, 10_000),
    );
    const ctx = {
      productIds: products.map((product) => product.id),
      batchSize: positiveIntFromEnv(env, 'BENCH_BATCH_SIZE', 20, 100),
    };
    await step(`ProductService.BatchGetProducts of created products at ${target}`, () =>
      withClient(batchGetProducts.connect(target, {}), (client) =>
        batchGetProducts.call(client, ctx, 0, deadlineIn(PREPARE_DEADLINE_MS)),
      ),
    );
    return ctx;
  },
  connect(target, options) {
    return new ProductServiceClient(target, insecure, options);
  },
  async call(client, ctx, i, deadline) {
    const ids = Array.from(
      { length: ctx.batchSize },
      (_, k) => ctx.productIds[(i + k) % ctx.productIds.length]!,
    );
    const reply = await unary(client.batchGetProducts.bind(client), { ids }, bearer(''), deadline);
    if (reply.missingIds.length > 0)
      throw new Error(`BatchGetProducts missed ${reply.missingIds.length} ids`);
  },
};

interface ListProductsContext {
  /** The requests the calls rotate over: each sort order, pages 1..BENCH_LIST_PAGES. */
  requests: ListProductsRequest[];
}

const LIST_SORTS = [
  ProductSort.PRODUCT_SORT_NEWEST,
  ProductSort.PRODUCT_SORT_PRICE_ASC,
  ProductSort.PRODUCT_SORT_PRICE_DESC,
  ProductSort.PRODUCT_SORT_RATING,
];

/**
 * ProductService.ListProducts as a shopper, pages of BENCH_PAGE_SIZE (20) products with their
 * variants and prices, rotating over the four sort orders and their first BENCH_LIST_PAGES (10)
 * pages (the page tokens are collected in prepare). Lists the catalog as it is (seed a large one
 * with bench/seed-catalog.ts); creates BENCH_PRODUCTS (100) products when it is empty. Repeated
 * pages are served from the service's read cache within PRODUCT_CACHE_TTL_MS; start the service
 * with PRODUCT_CACHE_TTL_MS=0 to measure every call against the database.
 */
const listProducts: Scenario<ProductServiceClient, ListProductsContext> = {
  name: 'list-products',
  summary:
    'ProductService.ListProducts as a shopper, BENCH_PAGE_SIZE (20) per page, 4 sorts x BENCH_LIST_PAGES (10) pages',
  ...serviceAddress('product'),
  async prepare(target, env) {
    const pageSize = positiveIntFromEnv(env, 'BENCH_PAGE_SIZE', 20, 100);
    const pages = positiveIntFromEnv(env, 'BENCH_LIST_PAGES', 10, 1_000);
    return step(`ProductService.ListProducts at ${target}`, () =>
      withClient(new ProductServiceClient(target, insecure), async (client) => {
        const first = (sort: ProductSort, pageToken = '') =>
          unary(
            client.listProducts.bind(client),
            ListProductsRequest.fromPartial({ sort, page: { pageSize, pageToken } }),
            bearer(''),
            deadlineIn(PREPARE_DEADLINE_MS),
          );
        if ((await first(ProductSort.PRODUCT_SORT_NEWEST)).products.length === 0) {
          await createProducts(
            target,
            await adminToken(env),
            positiveIntFromEnv(env, 'BENCH_PRODUCTS', 100, 10_000),
          );
        }
        const requests: ListProductsRequest[] = [];
        for (const sort of LIST_SORTS) {
          let pageToken = '';
          for (let page = 0; page < pages; page++) {
            requests.push(ListProductsRequest.fromPartial({ sort, page: { pageSize, pageToken } }));
            pageToken = (await first(sort, pageToken)).page?.nextPageToken ?? '';
            if (pageToken === '') break;
          }
        }
        return { requests };
      }),
    );
  },
  connect(target, options) {
    return readsNoAnswer(
      ProductServiceClient.service,
      ProductServiceClient.serviceName,
      () => new ProductServiceClient(target, insecure, options),
      target,
      options,
    );
  },
  async call(client, ctx, i, deadline) {
    const request = ctx.requests[i % ctx.requests.length]!;
    await unary(client.listProducts.bind(client), request, bearer(''), deadline);
  },
};

interface AddItemContext {
  productId: string;
  variantId: string;
  sessionPrefix: string;
}

/**
 * CartService.AddItem as a guest with an empty cart_id: every call creates a new cart holding one
 * unit of the same variant (a line is capped at 99 units, so reusing one cart would soon fail).
 * Each call asks the product service once (concurrent calls for one product share that call) and
 * writes in one short transaction. Prepare uses BENCH_CART_PRODUCT_ID / BENCH_CART_VARIANT_ID when
 * set (a published product), else creates one (CreateProduct publishes at once), and checks with
 * one AddItem that the product can be bought before the run.
 */
const addItem: Scenario<CartServiceClient, AddItemContext> = {
  name: 'add-item',
  summary: 'CartService.AddItem as a guest, new cart per call, one published product (prepare checks it)',
  ...serviceAddress('cart'),
  async prepare(target, env) {
    let productId = env.BENCH_CART_PRODUCT_ID ?? '';
    let variantId = env.BENCH_CART_VARIANT_ID ?? '';
    if (!productId || !variantId) {
      const [product] = await createProducts(addressFromEnv('product', env), await adminToken(env), 1);
      productId = product!.id;
      variantId = product!.variants[0]!.id;
    }
    const ctx = { productId, variantId, sessionPrefix: `bench-${runTag()}-` };
    const probe = addItem.connect(target, {});
    try {
      await withClient(probe, (client) => addItem.call(client, ctx, -1, deadlineIn(PREPARE_DEADLINE_MS)));
    } catch (error) {
      const status = error as grpc.ServiceError;
      if (status.code === grpc.status.FAILED_PRECONDITION || status.code === grpc.status.NOT_FOUND) {
        throw new Error(
          `CartService.AddItem at ${target} of product ${productId} failed (${status.details}): ` +
            'BENCH_CART_PRODUCT_ID and BENCH_CART_VARIANT_ID must name a published product with stock',
        );
      }
      throw new Error(`CartService.AddItem at ${target}: ${status.message}`);
    }
    return ctx;
  },
  connect(target, options) {
    return readsNoAnswer(
      CartServiceClient.service,
      CartServiceClient.serviceName,
      () => new CartServiceClient(target, insecure, options),
      target,
      options,
    );
  },
  async call(client, ctx, i, deadline) {
    const request = {
      cartId: '',
      sessionId: `${ctx.sessionPrefix}${i < 0 ? 'probe' : i}`,
      productId: ctx.productId,
      variantId: ctx.variantId,
      quantity: 1,
    };
    await unary(client.addItem.bind(client), request, new grpc.Metadata(), deadline);
  },
};

interface GetCartContext {
  carts: { cartId: string; sessionId: string }[];
}

/**
 * CartService.GetCart round-robin over BENCH_CARTS (default 100) guest carts of three lines each
 * (three products created in prepare): one query for the cart and its lines, one BatchGetProducts
 * to report changed prices and stock.
 */
const getCart: Scenario<CartServiceClient, GetCartContext> = {
  name: 'get-cart',
  summary:
    'CartService.GetCart of BENCH_CARTS (100) guest carts with 3 lines each, checked against the catalog',
  ...serviceAddress('cart'),
  async prepare(target, env) {
    const products = await createProducts(addressFromEnv('product', env), await adminToken(env), 3);
    const count = positiveIntFromEnv(env, 'BENCH_CARTS', 100, 10_000);
    const tag = runTag();
    return step(`CartService.AddItem at ${target}`, () =>
      withClient(new CartServiceClient(target, insecure), async (client) => {
        const carts: GetCartContext['carts'] = [];
        for (let k = 0; k < count; k++) {
          const sessionId = `bench-${tag}-${k}`;
          let cartId = '';
          for (const product of products) {
            const reply = await unary(
              client.addItem.bind(client),
              { cartId, sessionId, productId: product.id, variantId: product.variants[0]!.id, quantity: 1 },
              new grpc.Metadata(),
              deadlineIn(PREPARE_DEADLINE_MS),
            );
            cartId = reply.cart!.id;
          }
          carts.push({ cartId, sessionId });
        }
        return { carts };
      }),
    );
  },
  connect(target, options) {
    return readsNoAnswer(
      CartServiceClient.service,
      CartServiceClient.serviceName,
      () => new CartServiceClient(target, insecure, options),
      target,
      options,
    );
  },
  async call(client, ctx, i, deadline) {
    const cart = ctx.carts[i % ctx.carts.length]!;
    await unary(client.getCart.bind(client), cart, new grpc.Metadata(), deadline);
  },
};

interface LoginContext {
  users: { email: string; password: string }[];
}

/**
 * AuthService.Login round-robin over BENCH_LOGIN_USERS (default 8) customers registered in
 * prepare. Password hashing (argon2id, 19 MiB, 2 passes, 1 lane) makes this CPU-bound on the
 * server. The auth service admits 10 attempts per email per minute (per replica), so to measure
 * the hash rather than the rate limit, start it with AUTH_LOGIN_ATTEMPTS_PER_EMAIL_PER_MINUTE=0
 * (or raise BENCH_LOGIN_USERS well past rate × 6); otherwise RESOURCE_EXHAUSTED fills the error
 * counts. Every login opens a session (a refresh-token row): a long run grows refresh_tokens.
 */
const login: Scenario<AuthServiceClient, LoginContext> = {
  name: 'login',
  summary: 'AuthService.Login round-robin over BENCH_LOGIN_USERS (8) customers registered in prepare',
  ...serviceAddress('auth'),
  async prepare(target, env) {
    const tag = runTag();
    const count = positiveIntFromEnv(env, 'BENCH_LOGIN_USERS', 8, 1_000);
    const users = Array.from({ length: count }, (_, k) => ({
      email: `bench-${tag}-${k}@example.com`,
      password: `bench-password-${tag}`,
    }));
    const auth = new AuthServiceClient(target, insecure);
    await step(`AuthService.Register at ${target}`, () =>
      withClient(auth, async (client) => {
        for (const user of users) {
          await unary(
            client.register.bind(client),
            { ...user, firstName: 'Bench', lastName: `User ${tag}` },
            new grpc.Metadata(),
            deadlineIn(PREPARE_DEADLINE_MS),
          );
        }
      }),
    );
    return { users };
  },
  connect(target, options) {
    return readsNoAnswer(
      AuthServiceClient.service,
      AuthServiceClient.serviceName,
      () => new AuthServiceClient(target, insecure, options),
      target,
      options,
    );
  },
  async call(client, ctx, i, deadline) {
    const user = ctx.users[i % ctx.users.length]!;
    await unary(client.login.bind(client), user, new grpc.Metadata(), deadline);
  },
};

interface MyAddressesContext {
  token: string;
}

/**
 * UserService.ListAddresses of one customer with 5 shipping addresses, the read behind a checkout's
 * address picker. prepare registers and logs in the customer at AUTH_GRPC_ADDR (so the access token,
 * 15 minutes, bounds the run), waits for the profile (the registration event) and adds the
 * addresses through the public RPCs.
 */
const myAddresses: Scenario<UserServiceClient, MyAddressesContext> = {
  name: 'my-addresses',
  summary: 'UserService.ListAddresses of one customer holding 5 addresses (token from prepare)',
  ...serviceAddress('user'),
  async prepare(target, env) {
    const tag = runTag();
    const credentials = { email: `bench-addresses-${tag}@example.com`, password: `bench-password-${tag}` };
    const auth = new AuthServiceClient(addressFromEnv('auth', env), insecure);
    const token = await step('AuthService.Register and Login', () =>
      withClient(auth, async (client) => {
        await unary(
          client.register.bind(client),
          { ...credentials, firstName: 'Bench', lastName: 'Addresses' },
          new grpc.Metadata(),
          deadlineIn(PREPARE_DEADLINE_MS),
        );
        const login = await unary(
          client.login.bind(client),
          credentials,
          new grpc.Metadata(),
          deadlineIn(PREPARE_DEADLINE_MS),
        );
        return login.accessToken;
      }),
    );
    const user = new UserServiceClient(target, insecure);
    await step(`UserService at ${target}`, () =>
      withClient(user, async (client) => {
        for (let attempt = 0; ; attempt++) {
          const ready = await unary(
            client.getMyProfile.bind(client),
            {},
            bearer(token),
            deadlineIn(5_000),
          ).then(
            () => true,
            (error: grpc.ServiceError) =>
              error.code === grpc.status.NOT_FOUND && attempt < 60 ? false : Promise.reject(error),
          );
          if (ready) break;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        for (let k = 0; k < 5; k++) {
          await unary(
            client.createAddress.bind(client),
            {
              type: AddressType.ADDRESS_TYPE_SHIPPING,
              setDefault: false,
              address: {
                firstName: 'Bench',
                lastName: 'Addresses',
                company: '',
                line1: `${k + 1} Load Street`,
                line2: '',
                city: 'Springfield',
                state: '',
                postalCode: '62701',
                country: 'US',
                phone: '',
              },
            },
            bearer(token),
            deadlineIn(PREPARE_DEADLINE_MS),
          );
        }
      }),
    );
    return { token };
  },
  connect(target, options) {
    return readsNoAnswer(
      UserServiceClient.service,
      UserServiceClient.serviceName,
      () => new UserServiceClient(target, insecure, options),
      target,
      options,
    );
  },
  async call(client, ctx, _i, deadline) {
    await unary(
      client.listAddresses.bind(client),
      { type: AddressType.ADDRESS_TYPE_UNSPECIFIED },
      bearer(ctx.token),
      deadline,
    );
  },
};

interface QuoteShippingContext {
  request: QuoteShippingRequest;
}

/**
 * ShippingService.QuoteShipping as a guest: a basket of three lines (three products of 0.25, 1.2
 * and 3.4 kg created in prepare, one BatchGetProducts per quote) to a postal code of a zone made
 * for this run (its code is the run's tag, so earlier runs' zones never decide), which offers
 * three methods: by weight and item, by rate tiers (four tiers), and flat. Prepare checks that
 * the quote offers all three.
 */
const quoteShipping: Scenario<ShippingServiceClient, QuoteShippingContext> = {
  name: 'quote-shipping',
  summary:
    'ShippingService.QuoteShipping as a guest: 3 lines (weights from the product service) to a zone of 3 methods',
  ...serviceAddress('shipping'),
  async prepare(target, env) {
    const token = await adminToken(env);
    const products = await createProducts(addressFromEnv('product', env), token, 3, [250, 1200, 3400]);
    const tag = runTag().toUpperCase();
    const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
    const request: QuoteShippingRequest = {
      destination: {
        firstName: 'Bench',
        lastName: 'Quote',
        company: '',
        line1: '1 Load Street',
        line2: '',
        city: 'Berlin',
        state: '',
        postalCode: tag,
        country: 'DE',
        phone: '',
      },
      lines: products.map((product, k) => ({
        productId: product.id,
        variantId: product.variants[0]!.id,
        quantity: k === 1 ? 2 : 1,
      })),
      subtotal: eur(3000),
    };
    await step(`ShippingService at ${target}`, () =>
      withClient(new ShippingServiceClient(target, insecure), async (client) => {
        const call = <Req, Res>(method: Parameters<typeof unary<Req, Res>>[0], body: Req) =>
          unary(method.bind(client), body, bearer(token), deadlineIn(PREPARE_DEADLINE_MS));
        const code = `bench_${tag.toLowerCase()}`;
        await call(client.createCarrier, {
          name: `Bench carrier ${tag}`,
          code,
          apiEndpoint: '',
          apiKey: '',
          configurationJson: '',
        });
        const { zone } = await call(client.createZone, {
          name: `Bench zone ${tag}`,
          countries: ['DE'],
          states: [],
          postalPatterns: [tag],
          priority: 0,
        });
        const method = (name: string, patch: Partial<CreateShippingMethodRequest>) =>
          call(
            client.createShippingMethod,
            CreateShippingMethodRequest.fromPartial({
              zoneId: zone!.id,
              name,
              carrierCode: code,
              serviceType: ServiceType.SERVICE_TYPE_STANDARD,
              basePrice: eur(0),
              estimatedDays: 3,
              ...patch,
            }),
          );
        await method('By weight', { basePrice: eur(300), pricePerKg: eur(120), pricePerItem: eur(10) });
        const { method: tiered } = await method('Tiered', { estimatedDays: 2 });
        for (const [min, max, minAmount, maxAmount, rate] of [
          [0, 2000, 0, 5000, 490],
          [2000, 10_000, 0, 5000, 690],
          [10_000, undefined, 0, undefined, 1290],
          [0, 10_000, 5000, undefined, 0],
        ] as const) {
          await call(client.createShippingRate, {
            methodId: tiered!.id,
            minWeightGrams: min,
            maxWeightGrams: max,
            minAmount: eur(minAmount),
            maxAmount: maxAmount === undefined ? undefined : eur(maxAmount),
            rate: eur(rate),
          });
        }
        await method('Flat', { basePrice: eur(990), serviceType: ServiceType.SERVICE_TYPE_EXPRESS });
        const quote = await unary(
          client.quoteShipping.bind(client),
          request,
          new grpc.Metadata(),
          deadlineIn(PREPARE_DEADLINE_MS),
        );
        if (quote.options.length !== 3) {
          throw new Error(`QuoteShipping offered ${quote.options.length} methods instead of 3`);
        }
      }),
    );
    return { request };
  },
  connect(target, options) {
    return readsNoAnswer(
      ShippingServiceClient.service,
      ShippingServiceClient.serviceName,
      () => new ShippingServiceClient(target, insecure, options),
      target,
      options,
    );
  },
  async call(client, ctx, _i, deadline) {
    await unary(client.quoteShipping.bind(client), ctx.request, new grpc.Metadata(), deadline);
  },
};

interface PaymentContext {
  token: string;
  keyPrefix: string;
}

/**
 * A platform service's access token (AuthService.IssueServiceToken as `order`, the service that
 * authorises at checkout), with the client secret the services derive: `SERVICE_CLIENT_SECRET` /
 * `ORDER_SERVICE_CLIENT_SECRET`, or `AUTH_SERVICE_MASTER_SECRET`, or the development master secret
 * in `DATA_DIR` (default ./data) that the embedded services generated.
 */
async function serviceToken(env: NodeJS.ProcessEnv): Promise<string> {
  const clientSecret = await loadServiceClientSecret(
    'order',
    { production: false, dataDir: env.DATA_DIR || './data' },
    env,
  );
  const address = addressFromEnv('auth', env);
  return step(`AuthService.IssueServiceToken as order at ${address} (AUTH_GRPC_ADDR)`, () =>
    withClient(new AuthServiceClient(address, insecure), async (client) => {
      const reply = await unary(
        client.issueServiceToken.bind(client),
        { serviceName: 'order', clientSecret },
        new grpc.Metadata(),
        deadlineIn(PREPARE_DEADLINE_MS),
      );
      return reply.accessToken;
    }),
  );
}

/**
 * One checkout's payment: PaymentService.AuthorizePayment of a one-time `pm_card_visa` token on the
 * test gateway (PAYMENT_PROVIDER=test, the default), then CapturePayment of the whole amount, each
 * with its own idempotency key; one call of the scenario is both RPCs, so calls/s is payments/s.
 * Each RPC claims its key, writes the pending operation, calls the gateway (in process) and records
 * the answer with its outbox event: two transactions per RPC. Prepare gets a service token (see
 * serviceToken) and checks one payment end to end.
 */
const authorizeCapture: Scenario<PaymentServiceClient, PaymentContext> = {
  name: 'authorize-capture',
  summary:
    'PaymentService.AuthorizePayment (pm_card_visa, test gateway) then CapturePayment of it, as the order service',
  ...serviceAddress('payment'),
  async prepare(target, env) {
    const ctx = { token: await serviceToken(env), keyPrefix: `bench-${runTag()}-` };
    const probe = authorizeCapture.connect(target, {});
    await step(`AuthorizePayment and CapturePayment at ${target}`, () =>
      withClient(probe, (client) => authorizeCapture.call(client, ctx, -1, deadlineIn(PREPARE_DEADLINE_MS))),
    );
    return ctx;
  },
  connect(target, options) {
    return new PaymentServiceClient(target, insecure, options);
  },
  async call(client, ctx, i, deadline) {
    const metadata = bearer(ctx.token);
    const amount = { currencyCode: 'EUR', amountMinor: 4_999 };
    const key = `${ctx.keyPrefix}${i < 0 ? 'probe' : i}`;
    const { payment } = await unary(
      client.authorizePayment.bind(client),
      {
        orderId: randomUUID(),
        userId: randomUUID(),
        guestEmail: '',
        amount,
        paymentMethodId: '',
        paymentToken: 'pm_card_visa',
        idempotencyKey: `${key}-a`,
        capture: false,
      },
      metadata,
      deadline,
    );
    await unary(
      client.capturePayment.bind(client),
      { paymentId: payment!.id, amount, idempotencyKey: `${key}-c` },
      metadata,
      deadline,
    );
  },
};

interface CheckoutContext {
  cartAddress: string;
  shippingAddress: string;
  productId: string;
  variantId: string;
  priceMinor: number;
  shippingMethodId: string;
  destination: QuoteShippingRequest['destination'];
  /** Keeps sessions, emails and idempotency keys of one prepare apart from every other's. */
  tag: string;
}

/**
 * The cart and shipping clients of one order client, opened with its channel options, and the
 * client's own tag: a run connects new clients, so its shoppers (sessions, emails, idempotency keys)
 * are never those of an earlier run on the same prepared context (`--repeat`, or several
 * `--in-flight` values), which would be answered as replays of the earlier orders.
 */
interface CheckoutPeers {
  options: grpc.ChannelOptions;
  clientTag: string;
  cart?: CartServiceClient;
  shipping?: ShippingServiceClient;
}
const checkoutPeers = new WeakMap<OrderServiceClient, CheckoutPeers>();

function checkoutClients(client: OrderServiceClient, ctx: CheckoutContext) {
  const peers = checkoutPeers.get(client) ?? { options: {}, clientTag: randomBytes(4).toString('hex') };
  checkoutPeers.set(client, peers);
  peers.cart ??= new CartServiceClient(ctx.cartAddress, insecure, peers.options);
  peers.shipping ??= new ShippingServiceClient(ctx.shippingAddress, insecure, peers.options);
  return { cart: peers.cart, shipping: peers.shipping, clientTag: peers.clientTag };
}

/**
 * A guest checkout end to end; one call is the whole of it, so calls/s is orders/s:
 * CartService.AddItem of one unit into a new cart (a new session id), ShippingService.QuoteShipping
 * of that line to a Berlin address, then OrderService.PlaceOrder of the cart (that address, the
 * prepared method, the test gateway's `pm_card_visa`, a new idempotency key), which runs the
 * saga: cart, product (reserve, commit), shipping, discount, payment (authorise, capture). The
 * target is the order service (ORDER_GRPC_ADDR); the cart and shipping services are reached at
 * CART_GRPC_ADDR and SHIPPING_GRPC_ADDR on channels of their own. Prepare logs in as the admin and
 * creates a product of plenty of stock (EUR), a carrier, a DE zone whose postal pattern is the
 * run's tag (the address's postal code, so earlier runs' zones never decide) and a flat method,
 * then checks one checkout end to end (the order must come back CONFIRMED).
 */
const checkout: Scenario<OrderServiceClient, CheckoutContext> = {
  name: 'checkout',
  summary:
    'a guest checkout: CartService.AddItem (new cart) + ShippingService.QuoteShipping (DE) + OrderService.PlaceOrder (pm_card_visa)',
  ...serviceAddress('order'),
  async prepare(target, env) {
    const token = await adminToken(env);
    const tag = runTag();
    const priceMinor = 2_500;
    const product = await step(`ProductService.CreateProduct at ${addressFromEnv('product', env)}`, () =>
      withClient(new ProductServiceClient(addressFromEnv('product', env), insecure), async (client) => {
        const sku = `bench-checkout-${tag}`;
        const reply = await unary(
          client.createProduct.bind(client),
          CreateProductRequest.fromPartial({
            sku,
            name: 'Bench checkout product',
            slug: sku,
            description: 'Created by bench/load/scenarios.ts for the checkout scenario.',
            price: { currencyCode: 'EUR', amountMinor: priceMinor },
            variants: [{ sku: `${sku}-v`, name: 'Default', initialStock: 10_000_000, weightGrams: 300 }],
          }),
          bearer(token),
          deadlineIn(PREPARE_DEADLINE_MS),
        );
        if (!reply.product?.variants[0]?.id) throw new Error(`CreateProduct for ${sku} returned no variant`);
        return reply.product;
      }),
    );
    const shippingAddress = addressFromEnv('shipping', env);
    const postalCode = tag.toUpperCase();
    const shippingMethodId = await step(`ShippingService at ${shippingAddress}`, () =>
      withClient(new ShippingServiceClient(shippingAddress, insecure), async (client) => {
        const call = <Req, Res>(method: Parameters<typeof unary<Req, Res>>[0], body: Req) =>
          unary(method.bind(client), body, bearer(token), deadlineIn(PREPARE_DEADLINE_MS));
        const code = `bench_co_${tag}`;
        await call(client.createCarrier, {
          name: `Bench carrier ${tag}`,
          code,
          apiEndpoint: '',
          apiKey: '',
          configurationJson: '',
          active: true,
        });
        const { zone } = await call(client.createZone, {
          name: `Bench checkout zone ${tag}`,
          countries: ['DE'],
          states: [],
          postalPatterns: [postalCode],
          priority: 0,
          active: true,
        });
        const { method } = await call(
          client.createShippingMethod,
          CreateShippingMethodRequest.fromPartial({
            zoneId: zone!.id,
            name: 'Standard',
            carrierCode: code,
            serviceType: ServiceType.SERVICE_TYPE_STANDARD,
            basePrice: { currencyCode: 'EUR', amountMinor: 499 },
            estimatedDays: 3,
            active: true,
          }),
        );
        return method!.id;
      }),
    );
    const ctx: CheckoutContext = {
      cartAddress: addressFromEnv('cart', env),
      shippingAddress,
      productId: product.id,
      variantId: product.variants[0]!.id,
      priceMinor,
      shippingMethodId,
      destination: {
        firstName: 'Bench',
        lastName: 'Shopper',
        company: '',
        line1: 'Unter den Linden 1',
        line2: '',
        city: 'Berlin',
        state: '',
        postalCode,
        country: 'DE',
        phone: '',
      },
      tag,
    };
    const probe = checkout.connect(target, {});
    await step(`a checkout through ${ctx.cartAddress}, ${shippingAddress} and ${target}`, () =>
      withClient(probe, async (client) => {
        try {
          const order = await placeGuestOrder(client, ctx, -1, deadlineIn(PREPARE_DEADLINE_MS));
          if (order.status !== OrderStatus.ORDER_STATUS_CONFIRMED) {
            throw new Error(`the order ${order.id} is ${OrderStatus[order.status]}, not CONFIRMED`);
          }
        } finally {
          closeCheckoutPeers(client);
        }
      }),
    );
    return ctx;
  },
  connect(target, options) {
    const client = new OrderServiceClient(target, insecure, options);
    checkoutPeers.set(client, { options, clientTag: randomBytes(4).toString('hex') });
    return client;
  },
  async call(client, ctx, i, deadline) {
    await placeGuestOrder(client, ctx, i, deadline);
  },
};

function closeCheckoutPeers(client: OrderServiceClient): void {
  const peers = checkoutPeers.get(client);
  peers?.cart?.close();
  peers?.shipping?.close();
}

/** One guest checkout (see `checkout`): AddItem, QuoteShipping, PlaceOrder; answers the order. */
async function placeGuestOrder(
  client: OrderServiceClient,
  ctx: CheckoutContext,
  i: number,
  deadline: Date,
): Promise<Order> {
  const { cart, shipping, clientTag } = checkoutClients(client, ctx);
  const shopper = `${ctx.tag}-${clientTag}-${i < 0 ? 'probe' : i}`;
  const sessionId = `bench-checkout-${shopper}`;
  const line = { productId: ctx.productId, variantId: ctx.variantId, quantity: 1 };
  const added = await unary(
    cart.addItem.bind(cart),
    { cartId: '', sessionId, ...line },
    new grpc.Metadata(),
    deadline,
  );
  await unary(
    shipping.quoteShipping.bind(shipping),
    {
      destination: ctx.destination,
      lines: [line],
      subtotal: { currencyCode: 'EUR', amountMinor: ctx.priceMinor },
    },
    new grpc.Metadata(),
    deadline,
  );
  const { order } = await unary(
    client.placeOrder.bind(client),
    PlaceOrderRequest.fromPartial({
      idempotencyKey: `bench-${shopper}`,
      cartId: added.cart!.id,
      sessionId,
      guestEmail: `bench-${shopper}@example.com`,
      destination: { $case: 'shippingAddress', value: ctx.destination! },
      shippingMethodId: ctx.shippingMethodId,
      payment: { $case: 'paymentToken', value: 'pm_card_visa' },
    }),
    new grpc.Metadata(),
    deadline,
  );
  return order!;
}

interface PriceCartContext {
  token: string;
  requests: PriceCartRequest[];
}

/** The promotions a priced cart matches: ten of every kind, two of them exclusive (see priceCartScenario). */
function matchingPromotions(products: string[], categories: string[]): Partial<CreatePromotionRequest>[] {
  const on = (productIds: string[], categoryIds: string[] = []) => ({
    productIds,
    categoryIds,
    excludedProductIds: [],
    excludedCategoryIds: [],
  });
  const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
  return [
    {
      priority: 50,
      stackable: true,
      rule: {
        $case: 'productDiscount',
        value: { target: on(products.slice(0, 5)), benefit: { $case: 'percentOffBp', value: 1000 } },
      },
    },
    {
      priority: 45,
      stackable: true,
      rule: {
        $case: 'productDiscount',
        value: { target: on([], [categories[3]!]), benefit: { $case: 'percentOffBp', value: 500 } },
      },
    },
    {
      priority: 40,
      stackable: true,
      currencyCode: 'EUR',
      rule: {
        $case: 'productDiscount',
        value: { target: on([], [categories[0]!]), benefit: { $case: 'amountOffPerUnit', value: eur(200) } },
      },
    },
    {
      priority: 35,
      stackable: false,
      rule: {
        $case: 'productDiscount',
        value: { target: on(products.slice(6, 10)), benefit: { $case: 'percentOffBp', value: 2000 } },
      },
    },
    {
      priority: 30,
      stackable: false,
      rule: {
        $case: 'buyXGetY',
        value: {
          target: on([], [categories[1]!]),
          buyQuantity: 2,
          getQuantity: 1,
          percentOffBp: 10000,
          maxApplications: 0,
        },
      },
    },
    {
      priority: 25,
      stackable: true,
      rule: {
        $case: 'bundle',
        value: {
          components: [
            { target: on([products[5]!]), quantity: 1 },
            { target: on([], [categories[2]!]), quantity: 1 },
          ],
          percentOffBp: 1500,
          maxApplications: 0,
        },
      },
    },
    {
      priority: 20,
      stackable: true,
      rule: {
        $case: 'volumeTiers',
        value: {
          target: on([], [categories[0]!]),
          tiers: [
            { minQuantity: 3, percentOffBp: 300 },
            { minQuantity: 6, percentOffBp: 600 },
          ],
        },
      },
    },
    {
      priority: 15,
      stackable: true,
      currencyCode: 'EUR',
      rule: {
        $case: 'spendAmount',
        value: {
          target: on([], [categories[1]!]),
          minSubtotal: eur(15000),
          benefit: { $case: 'amountOff', value: eur(1000) },
        },
      },
    },
    {
      priority: 10,
      stackable: true,
      currencyCode: 'EUR',
      rule: {
        $case: 'spendAmount',
        value: {
          target: on([], categories),
          minSubtotal: eur(5000),
          benefit: { $case: 'percentOffBp', value: 500 },
        },
      },
    },
    {
      priority: 5,
      stackable: true,
      currencyCode: 'EUR',
      rule: { $case: 'freeShipping', value: { target: on([], categories), minSubtotal: eur(10000) } },
    },
  ];
}

/** A promotion of another part of the catalog: it names products and a category no priced cart holds. */
function otherPromotion(k: number): Partial<CreatePromotionRequest> {
  const target = {
    productIds: [randomUUID(), randomUUID()],
    categoryIds: [randomUUID()],
    excludedProductIds: [],
    excludedCategoryIds: [],
  };
  const rules: CreatePromotionRequest['rule'][] = [
    {
      $case: 'productDiscount',
      value: { target, benefit: { $case: 'percentOffBp', value: 500 + (k % 20) * 100 } },
    },
    {
      $case: 'buyXGetY',
      value: { target, buyQuantity: 1 + (k % 3), getQuantity: 1, percentOffBp: 5000, maxApplications: 0 },
    },
    { $case: 'volumeTiers', value: { target, tiers: [{ minQuantity: 4, percentOffBp: 800 }] } },
    {
      $case: 'bundle',
      value: {
        components: [
          { target, quantity: 1 },
          { target: { ...target, productIds: [randomUUID()] }, quantity: 1 },
        ],
        percentOffBp: 1000,
        maxApplications: 1,
      },
    },
  ];
  return { priority: k % 100, stackable: k % 5 !== 0, rule: rules[k % rules.length] };
}

/** Promotions ACTIVE now (every page of ListPromotions). */
async function activePromotionCount(client: DiscountServiceClient, token: string): Promise<number> {
  let count = 0;
  let pageToken = '';
  do {
    const reply = await unary(
      client.listPromotions.bind(client),
      ListPromotionsRequest.fromPartial({
        status: PromotionStatus.PROMOTION_STATUS_ACTIVE,
        page: { pageSize: 100, pageToken },
      }),
      bearer(token),
      deadlineIn(PREPARE_DEADLINE_MS),
    );
    count += reply.promotions.length;
    pageToken = reply.page?.nextPageToken ?? '';
  } while (pageToken !== '');
  return count;
}

/**
 * DiscountService.PriceCart of 5-line carts with `active` promotions running, 10 of which every
 * cart matches (a product discount by product, by category and per unit, an exclusive product
 * discount, an exclusive buy 2 get 1, a bundle, volume tiers, two spend amounts, free shipping);
 * the others name products and categories no priced cart holds, as the promotions of the rest of
 * a catalog do. Prepare tops the service up to exactly `active` ACTIVE promotions (refusing when
 * more are active already: run each scenario on its own data) through CreatePromotion, 16 at a
 * time, and checks that a cart gets a discount. No coupon (a coupon adds one read of its row).
 */
function priceCartScenario(name: string, active: number): Scenario<DiscountServiceClient, PriceCartContext> {
  const scenario: Scenario<DiscountServiceClient, PriceCartContext> = {
    name,
    summary: `DiscountService.PriceCart of 5-line carts, ${active} active promotions of which 10 match each cart`,
    ...serviceAddress('discount'),
    async prepare(target, env) {
      const token = await adminToken(env);
      const products = Array.from({ length: 12 }, () => randomUUID());
      const categories = Array.from({ length: 4 }, () => randomUUID());
      await step(`DiscountService.CreatePromotion at ${target}`, () =>
        withClient(new DiscountServiceClient(target, insecure), async (client) => {
          const already = await activePromotionCount(client, token);
          const matching = matchingPromotions(products, categories);
          if (already + matching.length > active) {
            throw new Error(
              `${already} promotions are active already; ${name} needs at most ${active - matching.length}: use fresh data`,
            );
          }
          const wanted = [
            ...matching,
            ...Array.from({ length: active - already - matching.length }, (_, k) => otherPromotion(k)),
          ];
          let next = 0;
          const create = async () => {
            while (next < wanted.length) {
              const k = next++;
              await unary(
                client.createPromotion.bind(client),
                CreatePromotionRequest.fromPartial({
                  name: `bench ${name} ${k}`,
                  activate: true,
                  ...wanted[k],
                }),
                bearer(token),
                deadlineIn(PREPARE_DEADLINE_MS),
              );
            }
          };
          await Promise.all(Array.from({ length: 16 }, create));
        }),
      );
      const requests = Array.from({ length: 20 }, (_, c) =>
        PriceCartRequest.fromPartial({
          currencyCode: 'EUR',
          shipping: { currencyCode: 'EUR', amountMinor: 495 },
          lines: Array.from({ length: 5 }, (_, k) => {
            const p = (c * 5 + k * 7) % products.length;
            return {
              lineId: `line-${k}`,
              productId: products[p]!,
              variantId: randomUUID(),
              categoryIds: [categories[p % categories.length]!],
              unitPrice: { currencyCode: 'EUR', amountMinor: 1000 + ((c * 37 + k * 1013) % 9000) },
              quantity: 1 + ((c + k) % 3),
            };
          }),
        }),
      );
      const ctx = { token, requests };
      await step(`DiscountService.PriceCart at ${target}`, () =>
        withClient(new DiscountServiceClient(target, insecure), async (client) => {
          const reply = await unary(
            client.priceCart.bind(client),
            requests[0]!,
            bearer(token),
            deadlineIn(PREPARE_DEADLINE_MS),
          );
          if ((reply.totals?.discount?.amountMinor ?? 0) === 0)
            throw new Error('the priced cart got no discount');
        }),
      );
      return ctx;
    },
    connect(target, options) {
      return readsNoAnswer(
        DiscountServiceClient.service,
        DiscountServiceClient.serviceName,
        () => new DiscountServiceClient(target, insecure, options),
        target,
        options,
      );
    },
    async call(client, ctx, i, deadline) {
      await unary(
        client.priceCart.bind(client),
        ctx.requests[i % ctx.requests.length]!,
        bearer(ctx.token),
        deadline,
      );
    },
  };
  return scenario;
}

export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  noop: noop as unknown as Scenario,
  'get-product': getProduct as unknown as Scenario,
  'batch-get-products': batchGetProducts as unknown as Scenario,
  'list-products': listProducts as unknown as Scenario,
  'add-item': addItem as unknown as Scenario,
  'get-cart': getCart as unknown as Scenario,
  login: login as unknown as Scenario,
  'my-addresses': myAddresses as unknown as Scenario,
  'quote-shipping': quoteShipping as unknown as Scenario,
  'authorize-capture': authorizeCapture as unknown as Scenario,
  checkout: checkout as unknown as Scenario,
  'price-cart': priceCartScenario('price-cart', 10) as unknown as Scenario,
  'price-cart-1000': priceCartScenario('price-cart-1000', 1000) as unknown as Scenario,
};

export function scenarioNamed(name: string): Scenario {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario "${name}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
  return scenario;
}

/** The address a scenario targets: `<SERVICE>_GRPC_ADDR` from the environment, else its default port. */
export function scenarioTarget(scenario: Scenario, env: NodeJS.ProcessEnv = process.env): string {
  return assertLoopback(env[scenario.addressEnv] || scenario.defaultAddress, scenario.addressEnv);
}
