/**
 * What every role of the checkout floor shares: its command line, its database (created with its
 * tables when missing), named statements, the JetStream stream with its durable consumers, the gRPC
 * server, clients of the other roles, and the event the order publishes.
 */
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { AckPolicy, connect, DeliverPolicy, nanos, type JetStreamClient, type NatsConnection } from 'nats';
import pg from 'pg';
import type { Address } from '../../gen/ecommerce/common/v1/address.js';

export const ROLES = ['product', 'order', 'payment', 'notification', 'cart', 'discount', 'shipping'] as const;
export type Role = (typeof ROLES)[number];

/** Each role listens on the base port plus the last digit of its service's default port (50053 …). */
const PORT_OFFSETS: Record<Role, number> = {
  product: 3,
  order: 4,
  payment: 5,
  notification: 6,
  cart: 7,
  discount: 8,
  shipping: 9,
};

export interface FloorOptions {
  basePort: number;
  /** The PostgreSQL server; each role's database is `<prefix>_<role>` on it. */
  databaseUrl: string;
  prefix: string;
  /** pg pool size of each process. */
  connections: number;
  nats: string;
}

/** The options main.ts takes and hands on to every role process unchanged. */
export const OPTION_DEFAULTS = {
  'base-port': '50200',
  'database-url': 'postgres://postgres@127.0.0.1:5432',
  prefix: 'floorco',
  connections: '10',
  nats: 'nats://127.0.0.1:4222',
} as const;

export function floorOptions(args: string[] = process.argv.slice(2)): FloorOptions {
  const { values } = parseArgs({
    args,
    options: Object.fromEntries(
      Object.entries(OPTION_DEFAULTS).map(([name, value]) => [name, { type: 'string', default: value }]),
    ) as Record<keyof typeof OPTION_DEFAULTS, { type: 'string'; default: string }>,
  });
  const options: FloorOptions = {
    basePort: Number(values['base-port']),
    databaseUrl: values['database-url'],
    prefix: values.prefix,
    connections: Number(values.connections),
    nats: values.nats,
  };
  // The prefix names databases, a stream and its subjects: keep it to what all of them accept.
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(options.prefix)) throw new Error('--prefix: 1-41 of [a-z0-9_]');
  if (!Number.isInteger(options.basePort) || options.basePort < 1 || options.basePort > 65_520)
    throw new Error('--base-port: 1-65520');
  if (!Number.isInteger(options.connections) || options.connections < 1)
    throw new Error('--connections: a whole number >= 1');
  return options;
}

export function portOf(options: FloorOptions, role: Role): number {
  return options.basePort + PORT_OFFSETS[role];
}

export function addressOf(options: FloorOptions, role: Role): string {
  return `127.0.0.1:${portOf(options, role)}`;
}

// --- PostgreSQL ---

function databaseUrl(base: string, name: string): string {
  return Object.assign(new URL(base), { pathname: `/${name}` }).href;
}

/** Creates the database of `url` when it does not exist (connected to `postgres` on the same server). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: databaseUrl(url, 'postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await admin
        .query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`)
        .catch((error: { code?: string }) => {
          if (error.code !== '42P04') throw error; // created meanwhile by another process
        });
    }
  } finally {
    await admin.end();
  }
}

/** The role's database `<prefix>_<role>` (created if missing), its tables (made if missing) and a pool. */
export async function openDatabase(options: FloorOptions, role: Role, schema: string): Promise<pg.Pool> {
  const url = databaseUrl(options.databaseUrl, `${options.prefix}_${role}`);
  await ensureDatabase(url);
  const pool = new pg.Pool({ connectionString: url, max: options.connections });
  pool.on('error', (error) => console.error(`checkout floor ${role}: idle connection: ${error.message}`));
  await pool.query(schema);
  return pool;
}

/** A named statement: parsed and planned once per connection, then only bound and executed. */
export interface Statement {
  name: string;
  text: string;
}

export async function run<R extends pg.QueryResultRow = pg.QueryResultRow>(
  pool: pg.Pool,
  statement: Statement,
  values: unknown[],
): Promise<R[]> {
  const { rows } = await pool.query<R>({ name: statement.name, text: statement.text, values });
  return rows;
}

/** pg answers bigint as a string: amounts are stored as bigint and read back with this. */
export function minor(value: string | number): number {
  return Number(value);
}

// --- JetStream ---

export interface Events {
  nc: NatsConnection;
  js: JetStreamClient;
  stream: string;
  /** The subject of an event name ("order.confirmed") in this floor's stream. */
  subject(name: string): string;
}

/**
 * Connects to NATS and makes the floor's stream if missing: `<prefix>_CHECKOUT_FLOOR` with the
 * subjects `<prefix>.floor.>` (apart from the payment floor's `FLOOR`/`floor.>` and from any
 * mesh's `<namespace>.<service>.>`).
 */
export async function openEvents(options: FloorOptions, role: Role): Promise<Events> {
  const nc = await connect({ servers: options.nats, name: `checkout-floor-${options.prefix}-${role}` });
  const jsm = await nc.jetstreamManager();
  const stream = `${options.prefix}_CHECKOUT_FLOOR`;
  const config = { name: stream, subjects: [`${options.prefix}.floor.>`], max_age: nanos(3_600_000) };
  // Several roles start at once: the same configuration added twice is accepted by the server.
  await jsm.streams.add(config).catch(async (error: unknown) => {
    await jsm.streams.info(stream).catch(() => Promise.reject(error));
  });
  return {
    nc,
    js: nc.jetstream(),
    stream,
    subject: (name) => `${options.prefix}.floor.${name}`,
  };
}

/**
 * A durable consumer of one event name (JSON bodies) with explicit acks: each message is handled one at a time
 * (as the services' NATS transport does), acknowledged after its handler succeeded and redelivered
 * a second later when it failed. Answers a function that stops it.
 */
export async function consume<T>(
  events: Events,
  durable: string,
  name: string,
  handle: (event: T) => Promise<void>,
): Promise<() => void> {
  const jsm = await events.nc.jetstreamManager();
  await jsm.consumers
    .add(events.stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: events.subject(name),
      ack_wait: nanos(30_000),
      max_ack_pending: 1_000,
    })
    .catch(async (error: unknown) => {
      await jsm.consumers.info(events.stream, durable).catch(() => Promise.reject(error));
    });
  const consumer = await events.js.consumers.get(events.stream, durable);
  const messages = await consumer.consume({ max_messages: 100 });
  void (async () => {
    for await (const message of messages) {
      try {
        await handle(message.json<T>());
        message.ack();
      } catch (error) {
        console.error(`checkout floor ${durable}: ${(error as Error).message}`);
        message.nak(1_000);
      }
    }
  })();
  return () => void messages.stop();
}

/** What the order publishes once confirmed (JSON) and cart, shipping and notification consume. */
export interface OrderConfirmedEvent {
  eventId: string;
  orderId: string;
  orderNumber: string;
  cartId: string;
  guestEmail: string;
  shippingMethodId: string;
  shippingAddress: Address;
  currency: string;
  grandTotalMinor: number;
  lines: {
    productId: string;
    variantId: string;
    sku: string;
    name: string;
    quantity: number;
    unitPriceMinor: number;
  }[];
}

// --- gRPC ---

/**
 * ReserveStockResponse has no price field: the product role sends each line's unit price in the
 * answer's metadata under this key (`<variant id> <currency> <amount minor>`, comma-separated),
 * which is what a price field in the contract would carry, so the order needs no re-read of prices.
 */
export const UNIT_PRICES_KEY = 'floor-unit-prices';

/** An answer other than INTERNAL for the caller. */
export class Refusal extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/** A unary handler from a function of the request: its result is the answer, its error the status. */
export function answer<Req, Res>(
  work: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    work(call.request, call).then(
      (reply) => callback(null, reply),
      (error: Error & { code?: unknown }) =>
        callback({
          // A refusal, or a peer's status passed on as it came (an error of pg has a string code).
          code: typeof error.code === 'number' ? error.code : grpc.status.INTERNAL,
          details: error.message,
        }),
    );
  };
}

/** Serves `handlers` of the service on the role's port; every other method answers UNIMPLEMENTED. */
export async function serve(
  options: FloorOptions,
  role: Role,
  definition: grpc.ServiceDefinition,
  handlers: Partial<grpc.UntypedServiceImplementation>,
): Promise<grpc.Server> {
  const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
    callback({
      code: grpc.status.UNIMPLEMENTED,
      details: `the checkout floor's ${role} does not serve this`,
    });
  const server = new grpc.Server();
  server.addService(
    definition,
    Object.fromEntries(Object.keys(definition).map((name) => [name, handlers[name] ?? unimplemented])),
  );
  await new Promise<number>((resolve, reject) =>
    server.bindAsync(addressOf(options, role), grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
  return server;
}

export function stopServer(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => server.tryShutdown(() => resolve()));
}

const CALL_DEADLINE_MS = 10_000;

/**
 * A grpc-js unary method (request, metadata, options, callback) as a promise, deadline 10 s;
 * `onMetadata` receives the answer's metadata (it arrives before the answer).
 */
export function call<Req, Res>(
  method: (
    request: Req,
    metadata: grpc.Metadata,
    options: Partial<grpc.CallOptions>,
    callback: (error: grpc.ServiceError | null, response: Res) => void,
  ) => grpc.ClientUnaryCall,
  request: Req,
  onMetadata?: (metadata: grpc.Metadata) => void,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const pending = method(
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + CALL_DEADLINE_MS },
      (error, response) => (error ? reject(error) : resolve(response)),
    );
    if (onMetadata) pending.on('metadata', onMetadata);
  });
}

export const insecure = grpc.credentials.createInsecure();

/**
 * Tells the launcher that the role serves (over IPC; the console when the role runs alone), and
 * stops it once on SIGINT or SIGTERM, whichever comes first (Ctrl-C reaches the launcher's children
 * too, and the launcher then sends SIGTERM).
 */
export function ready(role: Role, stop: () => Promise<void>): void {
  if (process.send) process.send({ ready: role });
  else console.log(`checkout floor: ${role} ready (pid ${process.pid})`);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      stop().then(
        () => process.exit(0),
        (error: Error) => {
          console.error(`checkout floor ${role}: stopping: ${error.message}`);
          process.exit(1);
        },
      );
    });
  }
}
