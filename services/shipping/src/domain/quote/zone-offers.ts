import type { EntityManager } from '@mikro-orm/postgresql';
import { decimalToMinorUnits } from '../../../../../lib/db/money-type.js';
import { executePrepared } from '../../../../../lib/db/prepared-statement.js';
import { scaledIntegerOf } from '../../../../../lib/db/scaled-decimal.js';
import type { ShippingServiceType } from '../../entities/shipping-method.js';
import type { PriceRule, RateRule } from './pricing.js';
import type { ZoneRule } from './zone-matching.js';

/** A method as a quote offers it: who, how fast, and its price rule. */
export interface MethodOffer extends PriceRule {
  id: string;
  zoneId: string;
  name: string;
  carrierCode: string;
  serviceType: ShippingServiceType;
  currency: string;
  estimatedDays: number;
}

/** An active zone that may match, with its offered methods (active, of an active carrier). */
export interface ZoneOffers extends ZoneRule {
  methods: MethodOffer[];
}

// json_agg columns come back parsed from node-postgres and as text from PGlite.
type Json<T> = T | string;
const parsed = <T>(value: Json<T>): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

interface RateRow {
  id: string;
  min_weight: string;
  max_weight: string | null;
  min_amount: string;
  max_amount: string | null;
  rate: string;
}

interface MethodRow {
  id: string;
  name: string;
  carrier_code: string;
  service_type: ShippingServiceType;
  base_price: string;
  price_per_kg: string;
  price_per_item: string;
  currency: string;
  estimated_days: number;
  rates: RateRow[];
}

interface ZoneRow {
  id: string;
  countries: Json<string[]>;
  states: Json<string[]>;
  postal_codes: Json<string[]>;
  priority: number;
  methods: Json<MethodRow[]>;
}

/*
 * One statement: the active zones of the country (GIN index on countries) and those of every
 * country, each with its active methods of active carriers and their rate tiers. Money and weights
 * leave the database as text and become integers without passing through a float. Prepared once
 * per connection: every quote and every checkout's confirmation runs it.
 */
const ZONE_OFFERS_SQL = `
  SELECT z.id, z.countries, z.states, z.postal_codes, z.priority,
         COALESCE((
           SELECT json_agg(json_build_object(
                    'id', m.id, 'name', m.name, 'carrier_code', m.carrier_code,
                    'service_type', m.service_type, 'base_price', m.base_price::text,
                    'price_per_kg', m.price_per_kg::text, 'price_per_item', m.price_per_item::text,
                    'currency', m.currency, 'estimated_days', m.estimated_days,
                    'rates', COALESCE((
                      SELECT json_agg(json_build_object(
                               'id', r.id, 'min_weight', r.min_weight::text, 'max_weight', r.max_weight::text,
                               'min_amount', r.min_amount::text, 'max_amount', r.max_amount::text,
                               'rate', r.rate::text) ORDER BY r.id)
                        FROM shipping_rates r WHERE r.method_id = m.id), '[]'))
                  ORDER BY m.id)
             FROM shipping_methods m JOIN carriers c ON c.code = m.carrier_code
            WHERE m.zone_id = z.id AND m.is_active AND c.is_active), '[]') AS methods
    FROM shipping_zones z
   WHERE z.is_active AND (z.countries @> ?::jsonb OR z.countries = '[]'::jsonb)`;

function rateOf(row: RateRow): RateRule {
  return {
    id: row.id,
    minGrams: scaledIntegerOf(row.min_weight, 3),
    maxGrams: row.max_weight === null ? null : scaledIntegerOf(row.max_weight, 3),
    minAmount: decimalToMinorUnits(row.min_amount),
    maxAmount: row.max_amount === null ? null : decimalToMinorUnits(row.max_amount),
    rate: decimalToMinorUnits(row.rate),
  };
}

/** The zones that may decide for `country`, with what each offers. */
export async function loadZoneOffers(em: EntityManager, country: string): Promise<ZoneOffers[]> {
  const rows = await executePrepared<ZoneRow>(em, 'shipping:zone-offers', ZONE_OFFERS_SQL, [
    JSON.stringify([country]),
  ]);
  return rows.map((row) => ({
    id: row.id,
    countries: parsed(row.countries),
    states: parsed(row.states),
    postalPatterns: parsed(row.postal_codes),
    priority: row.priority,
    methods: parsed(row.methods).map((method) => ({
      id: method.id,
      zoneId: row.id,
      name: method.name,
      carrierCode: method.carrier_code,
      serviceType: method.service_type,
      currency: method.currency,
      estimatedDays: method.estimated_days,
      basePrice: decimalToMinorUnits(method.base_price),
      pricePerKg: decimalToMinorUnits(method.price_per_kg),
      pricePerItem: decimalToMinorUnits(method.price_per_item),
      rates: method.rates.map(rateOf),
    })),
  }));
}
