import type { MikroORM } from '@mikro-orm/postgresql';
import {
  countInserted,
  emptySeedResult,
  retryOnceOnConflict,
  type DemoSeedResult,
} from '../../../../lib/runtime/demo-seed.js';
import { Carrier, ShippingMethod, ShippingRate, ShippingZone } from '../entities/index.js';
import { DEMO_CARRIERS, DEMO_ZONES, SHIPPING_CURRENCY } from './shipping-data.js';

/**
 * Loads the demo carriers (by code), zones (by name) and each zone's methods (by name within the
 * zone) with their rate tiers, through the shipping service's entities, in one transaction. A
 * method's rates are loaded with the method only, so running it again inserts nothing. Carriers get
 * no API key: a real one is entered (and encrypted) by an admin.
 */
export function seedShippingDemo(orm: MikroORM): Promise<DemoSeedResult> {
  return retryOnceOnConflict(() => loadShippingDemo(orm));
}

async function loadShippingDemo(orm: MikroORM): Promise<DemoSeedResult> {
  const result = emptySeedResult(['carriers', 'shipping_zones', 'shipping_methods', 'shipping_rates']);
  await orm.em.fork().transactional(async (em) => {
    const carriers = new Set(
      (await em.find(Carrier, { code: { $in: DEMO_CARRIERS.map((c) => c.code) } })).map((c) => c.code),
    );
    for (const carrier of DEMO_CARRIERS) {
      if (carriers.has(carrier.code)) continue;
      em.create(Carrier, {
        code: carrier.code,
        name: carrier.name,
        apiEndpoint: carrier.apiEndpoint,
        // No key until an admin enters one (the column is nullable; `hidden()` types it as required).
        apiKey: null as unknown as string,
        isActive: true,
        configuration: { trackingUrl: carrier.trackingUrl, sandbox: true },
      });
      countInserted(result, 'carriers');
    }
    // The carrier rows must exist before a method names one (deferred foreign key, but one flush is tidier).
    await em.flush();

    const zones = new Map(
      (await em.find(ShippingZone, { name: { $in: DEMO_ZONES.map((z) => z.name) } })).map((z) => [z.name, z]),
    );
    for (const demo of DEMO_ZONES) {
      let zone = zones.get(demo.name);
      if (!zone) {
        zone = em.create(ShippingZone, {
          name: demo.name,
          type: demo.type,
          countries: demo.countries,
          priority: demo.priority,
          isActive: true,
        });
        countInserted(result, 'shipping_zones');
      }
      const methods = new Set(
        zones.has(demo.name) ? (await em.find(ShippingMethod, { zone })).map((m) => m.name) : [],
      );
      for (const method of demo.methods) {
        if (methods.has(method.name)) continue;
        const row = em.create(ShippingMethod, {
          zone,
          name: method.name,
          carrierCode: method.carrierCode,
          serviceType: method.serviceType,
          basePrice: method.basePrice,
          pricePerKg: method.pricePerKg,
          pricePerItem: method.pricePerItem,
          currency: SHIPPING_CURRENCY,
          estimatedDays: method.estimatedDays,
          isActive: true,
        });
        countInserted(result, 'shipping_methods');
        for (const rate of method.rates) {
          em.create(ShippingRate, { method: row, ...rate, currency: SHIPPING_CURRENCY });
        }
        countInserted(result, 'shipping_rates', method.rates.length);
      }
    }
  });
  return result;
}
