/**
 * The checkout floor's shipping role (base port + 9, database `<prefix>_shipping`): carriers, zones
 * and methods (CreateCarrier, CreateZone, CreateShippingMethod, for the prepare: one INSERT each),
 * quotes (QuoteShipping: BatchGetProducts at the product role for the weights + one SELECT of the
 * methods of the zone that decides), the checkout's confirmation of a method's price
 * (ConfirmShippingMethod: one SELECT; the weights are asked only for a method priced by weight),
 * and the shipment of a confirmed order (durable consumer of order.confirmed: one statement,
 * deduplicated by event id). No rate tiers (CreateShippingRate is UNIMPLEMENTED, as is the rest).
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Address } from '../../gen/ecommerce/common/v1/address.js';
import type { Money } from '../../gen/ecommerce/common/v1/money.js';
import { ProductServiceClient } from '../../gen/ecommerce/product/v1/product.js';
import {
  ConfirmShippingMethodResponse,
  CreateCarrierResponse,
  CreateShippingMethodResponse,
  CreateZoneResponse,
  QuoteShippingResponse,
  ShippingServiceService,
  type ConfirmShippingMethodRequest,
  type CreateCarrierRequest,
  type CreateShippingMethodRequest,
  type CreateZoneRequest,
  type QuoteShippingRequest,
  type ShippingLine,
  type ShippingOption,
  type ShippingServiceServer,
} from '../../gen/ecommerce/shipping/v1/shipping.js';
import {
  addressOf,
  answer,
  call,
  consume,
  floorOptions,
  insecure,
  minor,
  openDatabase,
  openEvents,
  ready,
  Refusal,
  run,
  serve,
  stopServer,
  type OrderConfirmedEvent,
} from './shared.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS carriers (
    id uuid PRIMARY KEY, name text NOT NULL, code text NOT NULL UNIQUE, active boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS zones (
    id uuid PRIMARY KEY, name text NOT NULL, countries text[] NOT NULL, states text[] NOT NULL,
    postal_patterns text[] NOT NULL, priority integer NOT NULL, active boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS methods (
    id uuid PRIMARY KEY, zone_id uuid NOT NULL, name text NOT NULL, carrier_code text NOT NULL,
    service_type integer NOT NULL, currency char(3) NOT NULL, base_minor bigint NOT NULL,
    per_kg_minor bigint NOT NULL, per_item_minor bigint NOT NULL, estimated_days integer NOT NULL,
    active boolean NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  CREATE INDEX IF NOT EXISTS methods_zone_id ON methods (zone_id);
  CREATE TABLE IF NOT EXISTS shipments (
    id uuid PRIMARY KEY, order_id uuid NOT NULL, method_id uuid NOT NULL, address jsonb NOT NULL,
    status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS shipment_items (
    id uuid PRIMARY KEY, shipment_id uuid NOT NULL, product_id uuid NOT NULL, variant_id uuid NOT NULL,
    quantity integer NOT NULL);
  CREATE TABLE IF NOT EXISTS inbox (event_id uuid PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now())`;

const CREATE_CARRIER = {
  name: 'create_carrier',
  text: 'INSERT INTO carriers (id, name, code, active) VALUES ($1, $2, $3, $4)',
};

const CREATE_ZONE = {
  name: 'create_zone',
  text: `INSERT INTO zones (id, name, countries, states, postal_patterns, priority, active)
    VALUES ($1, $2, $3, $4, $5, $6, $7)`,
};

const CREATE_METHOD = {
  name: 'create_method',
  text: `INSERT INTO methods (id, zone_id, name, carrier_code, service_type, currency, base_minor, per_kg_minor,
      per_item_minor, estimated_days, active)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
};

const METHOD_COLUMNS = `m.id, m.zone_id, m.name, m.carrier_code, m.service_type, m.currency, m.base_minor,
  m.per_kg_minor, m.per_item_minor, m.estimated_days`;

/**
 * The active methods (of an active carrier) of the zone that decides for a destination ($1 country,
 * $2 state and $3 postal code, both upper case without surrounding spaces): among the active zones
 * that match, the most specific (postal, then state, then country), then the highest priority. One
 * row with NULL method columns when the zone has no method; none when no zone matches.
 */
const ZONE_METHODS = {
  name: 'zone_methods',
  text: `WITH zone AS (
      SELECT id FROM zones
      WHERE active
        AND (cardinality(countries) = 0 OR $1 = ANY (countries))
        AND (cardinality(states) = 0 OR $2 = ANY (states))
        AND (cardinality(postal_patterns) = 0 OR EXISTS (
          SELECT 1 FROM unnest(postal_patterns) AS p
          WHERE p = $3 OR (right(p, 1) = '*' AND starts_with($3, rtrim(p, '*')))))
      ORDER BY cardinality(postal_patterns) > 0 DESC, cardinality(states) > 0 DESC,
        cardinality(countries) > 0 DESC, priority DESC, created_at
      LIMIT 1)
    SELECT zone.id AS zone, ${METHOD_COLUMNS}
    FROM zone LEFT JOIN methods m ON m.zone_id = zone.id AND m.active
      AND EXISTS (SELECT 1 FROM carriers c WHERE c.code = m.carrier_code AND c.active)`,
};

const METHOD = {
  name: 'method',
  text: `SELECT ${METHOD_COLUMNS} FROM methods m WHERE m.id = $1 AND m.active`,
};

/** The shipment and its lines unless this event was applied before (its id in the inbox). */
const CREATE_SHIPMENT = {
  name: 'create_shipment',
  text: `WITH fresh AS (
      INSERT INTO inbox (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id),
    shipment AS (
      INSERT INTO shipments (id, order_id, method_id, address, status)
      SELECT $2, $3, $4, $5, 'pending' FROM fresh
      RETURNING id)
    INSERT INTO shipment_items (id, shipment_id, product_id, variant_id, quantity)
    SELECT gen_random_uuid(), shipment.id, line.product_id, line.variant_id, line.quantity
    FROM shipment, unnest($6::uuid[], $7::uuid[], $8::integer[]) AS line (product_id, variant_id, quantity)`,
};

interface MethodRow {
  id: string;
  zone_id: string;
  name: string;
  carrier_code: string;
  service_type: number;
  currency: string;
  base_minor: string;
  per_kg_minor: string;
  per_item_minor: string;
  estimated_days: number;
}

/** A row of ZONE_METHODS: the zone, and one of its methods unless it has none (NULL id). */
interface ZoneMethodRow extends Omit<MethodRow, 'id'> {
  zone: string;
  id: string | null;
}

interface Basket {
  grams: number;
  units: number;
}

const options = floorOptions();
const pool = await openDatabase(options, 'shipping', SCHEMA);
const products = new ProductServiceClient(addressOf(options, 'product'), insecure);

const upperTrimmed = (value: string) => value.trim().toUpperCase();
const postalOf = (value: string) => value.replaceAll(' ', '').toUpperCase();

/** The basket's weight (the variants' weights from the product role; unknown counts as 0) and units. */
async function basketOf(lines: ShippingLine[]): Promise<Basket> {
  const { products: found } = await call(products.batchGetProducts.bind(products), {
    ids: [...new Set(lines.map((line) => line.productId))],
  });
  const grams = new Map(found.flatMap((product) => product.variants.map((v) => [v.id, v.weightGrams ?? 0])));
  return lines.reduce(
    (basket, line) => ({
      grams: basket.grams + (grams.get(line.variantId) ?? 0) * line.quantity,
      units: basket.units + line.quantity,
    }),
    { grams: 0, units: 0 },
  );
}

/** base + per kg × grams / 1000 (rounded half up) + per item × units, as the shipping service prices. */
function optionOf(method: MethodRow, basket: Basket): ShippingOption {
  const perKg = Math.floor((minor(method.per_kg_minor) * basket.grams + 500) / 1000);
  const price: Money = {
    currencyCode: method.currency,
    amountMinor: minor(method.base_minor) + perKg + minor(method.per_item_minor) * basket.units,
  };
  return {
    methodId: method.id,
    name: method.name,
    carrierCode: method.carrier_code,
    serviceType: method.service_type,
    price,
    estimatedDays: method.estimated_days,
    zoneId: method.zone_id,
  };
}

function zoneMethods(destination: Address | undefined) {
  return run<ZoneMethodRow>(pool, ZONE_METHODS, [
    destination?.country ?? '',
    upperTrimmed(destination?.state ?? ''),
    postalOf(destination?.postalCode ?? ''),
  ]);
}

const handlers: Partial<ShippingServiceServer> = {
  createCarrier: answer(async (request: CreateCarrierRequest) => {
    const id = randomUUID();
    const active = request.active ?? true;
    await run(pool, CREATE_CARRIER, [id, request.name, request.code, active]);
    const now = new Date();
    return CreateCarrierResponse.fromPartial({
      carrier: { ...request, id, active, hasApiKey: request.apiKey !== '', createdAt: now, updatedAt: now },
    });
  }),

  createZone: answer(async (request: CreateZoneRequest) => {
    const zone = {
      id: randomUUID(),
      name: request.name,
      countries: [...new Set(request.countries)].sort(),
      states: [...new Set(request.states.map(upperTrimmed))].sort(),
      postalPatterns: [...new Set(request.postalPatterns.map(postalOf))],
      priority: request.priority,
      active: request.active ?? true,
    };
    await run(pool, CREATE_ZONE, [
      zone.id,
      zone.name,
      zone.countries,
      zone.states,
      zone.postalPatterns,
      zone.priority,
      zone.active,
    ]);
    const now = new Date();
    return CreateZoneResponse.fromPartial({ zone: { ...zone, createdAt: now, updatedAt: now } });
  }),

  createShippingMethod: answer(async (request: CreateShippingMethodRequest) => {
    const id = randomUUID();
    const currency = request.basePrice?.currencyCode ?? '';
    const active = request.active ?? true;
    await run(pool, CREATE_METHOD, [
      id,
      request.zoneId,
      request.name,
      request.carrierCode,
      request.serviceType,
      currency,
      request.basePrice?.amountMinor ?? 0,
      request.pricePerKg?.amountMinor ?? 0,
      request.pricePerItem?.amountMinor ?? 0,
      request.estimatedDays,
      active,
    ]);
    const now = new Date();
    const money = (amount: Money | undefined) => ({
      currencyCode: currency,
      amountMinor: amount?.amountMinor ?? 0,
    });
    return CreateShippingMethodResponse.fromPartial({
      method: {
        id,
        zoneId: request.zoneId,
        name: request.name,
        carrierCode: request.carrierCode,
        serviceType: request.serviceType,
        basePrice: money(request.basePrice),
        pricePerKg: money(request.pricePerKg),
        pricePerItem: money(request.pricePerItem),
        estimatedDays: request.estimatedDays,
        active,
        rateCount: 0,
        createdAt: now,
        updatedAt: now,
      },
    });
  }),

  quoteShipping: answer(async (request: QuoteShippingRequest) => {
    const [basket, rows] = await Promise.all([basketOf(request.lines), zoneMethods(request.destination)]);
    const currency = request.subtotal?.currencyCode;
    const offered = rows
      .filter((row): row is ZoneMethodRow & MethodRow => row.id !== null && row.currency === currency)
      .map((row) => optionOf(row, basket))
      .sort(
        (a, b) =>
          a.price!.amountMinor - b.price!.amountMinor ||
          a.estimatedDays - b.estimatedDays ||
          a.methodId.localeCompare(b.methodId),
      );
    return QuoteShippingResponse.fromPartial({
      options: offered,
      totalWeightGrams: basket.grams,
      zoneId: rows[0]?.zone ?? '',
    });
  }),

  confirmShippingMethod: answer(async (request: ConfirmShippingMethodRequest) => {
    const [method] = await run<MethodRow>(pool, METHOD, [request.methodId]);
    // Only a price by weight needs the weights; without one, totalWeightGrams answers 0 (not asked for).
    if (!method) throw new Refusal(grpc.status.NOT_FOUND, `shipping method ${request.methodId} not found`);
    const basket =
      minor(method.per_kg_minor) > 0
        ? await basketOf(request.lines)
        : { grams: 0, units: request.lines.reduce((sum, line) => sum + line.quantity, 0) };
    return ConfirmShippingMethodResponse.fromPartial({
      option: optionOf(method, basket),
      totalWeightGrams: basket.grams,
    });
  }),
};

const server = await serve(options, 'shipping', ShippingServiceService, handlers);
const events = await openEvents(options, 'shipping');
const stopConsuming = await consume<OrderConfirmedEvent>(
  events,
  `${options.prefix}_shipping`,
  'order.confirmed',
  async (event) => {
    await run(pool, CREATE_SHIPMENT, [
      event.eventId,
      randomUUID(),
      event.orderId,
      event.shippingMethodId,
      JSON.stringify(event.shippingAddress),
      event.lines.map((line) => line.productId),
      event.lines.map((line) => line.variantId),
      event.lines.map((line) => line.quantity),
    ]);
  },
);
ready('shipping', async () => {
  stopConsuming();
  await stopServer(server);
  products.close();
  await events.nc.drain();
  await pool.end();
});
