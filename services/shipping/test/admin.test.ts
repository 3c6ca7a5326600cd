import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  CreateCarrierRequest,
  CreateShippingMethodRequest,
  CreateZoneRequest,
  ListZonesRequest,
  ServiceType,
  UpdateCarrierRequest,
  UpdateShippingRateRequest,
  UpdateZoneRequest,
} from '../../../gen/ecommerce/shipping/v1/shipping.js';
import { ShippingReason } from '../../../lib/error-reasons.js';
import { newId } from '../../../lib/ids.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import {
  createCarrier,
  deleteCarrier,
  getCarrier,
  listCarriers,
  updateCarrier,
} from '../src/domain/admin/carriers.js';
import {
  createShippingMethod,
  deleteShippingMethod,
  getShippingMethod,
  listShippingMethods,
} from '../src/domain/admin/methods.js';
import { deleteShippingRate, listShippingRates, updateShippingRate } from '../src/domain/admin/rates.js';
import { createZone, deleteZone, getZone, listZones, updateZone } from '../src/domain/admin/zones.js';
import { eur, openShippingDatabase, shippingAdmin, testCipher } from './support.js';

/** The staff's side: zones, methods, rate tiers and carriers, with every rule they are held to. */
describe('shipping administration', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  const cipher = testCipher();
  let admin: ReturnType<typeof shippingAdmin>;
  const em = () => db.orm.em.fork();

  before(async () => {
    db = await openShippingDatabase('shipping_admin');
    admin = shippingAdmin(em, cipher);
  });
  after(async () => {
    await db?.drop();
  });

  const fields = (failure: { violations?: readonly { field: string }[] }) =>
    (failure.violations ?? []).map((v) => v.field);

  /** A shipment of the method (the later shipments work writes these): what a delete must respect. */
  async function shipWith(methodId: string, carrierId: string): Promise<void> {
    await em().execute(
      `INSERT INTO shipments (id, order_id, carrier_id, method_id, currency, origin_address, destination_address)
       VALUES (?, ?, ?, ?, 'EUR', '{}', '{}')`,
      [newId(), newId(), carrierId, methodId],
    );
  }

  describe('zones', () => {
    it('keeps countries, states and postal patterns normalised, merged and sorted', async () => {
      const zone = await createZone(
        em(),
        CreateZoneRequest.fromPartial({
          name: '  Alps  ',
          countries: ['CH', 'AT', 'CH'],
          states: ['Tirol', ' tirol', 'Graubünden'],
          postalPatterns: ['60 20', '6*', '6020'],
          priority: -3,
        }),
      );
      expect(zone).to.deep.include({
        name: 'Alps',
        countries: ['AT', 'CH'],
        states: ['Graubünden', 'Tirol'],
        postalPatterns: ['6*', '6020'],
        priority: -3,
        active: true,
      });
      expect(await getZone(em(), zone.id)).to.deep.equal(zone);
      const [row] = await em().execute(`SELECT type FROM shipping_zones WHERE id = ?`, [zone.id]);
      expect(row!.type).to.equal('postal_code');
    });

    it('refuses what is not a place, naming each field', async () => {
      const failure = await failureOf(
        createZone(
          em(),
          CreateZoneRequest.fromPartial({
            name: '',
            countries: ['DE', 'XX', 'de'],
            postalPatterns: ['*', '10*5', 'ABCDEFGHIJKLMNOPQRSTU'],
            priority: 1001,
          }),
        ),
      );
      expect(failure.code).to.equal(status.INVALID_ARGUMENT);
      expect(fields(failure)).to.deep.equal([
        'countries[1]',
        'countries[2]',
        'postal_patterns[0]',
        'postal_patterns[1]',
        'postal_patterns[2]',
        'name',
        'priority',
      ]);
      const placeless = await failureOf(
        createZone(
          em(),
          CreateZoneRequest.fromPartial({ name: 'x', states: ['BY'], postalPatterns: ['8*'] }),
        ),
      );
      expect(placeless.violations).to.deep.equal([
        { field: 'states', description: 'needs at least one country' },
        { field: 'postal_patterns', description: 'needs at least one country' },
      ]);
    });

    it('updates the fields set, checks the lists it ends with, and deletes once', async () => {
      const zone = await admin.zone({ name: 'Bavaria', countries: ['DE'], states: ['BY'] });
      const removing = await failureOf(
        updateZone(em(), UpdateZoneRequest.fromPartial({ zoneId: zone.id, countries: { values: [] } })),
      );
      expect(removing.violations).to.deep.equal([
        { field: 'states', description: 'needs at least one country' },
      ]);
      const updated = await updateZone(
        em(),
        UpdateZoneRequest.fromPartial({
          zoneId: zone.id,
          name: 'Munich',
          postalPatterns: { values: ['80*'] },
          active: false,
        }),
      );
      expect(updated).to.deep.include({
        name: 'Munich',
        states: ['BY'],
        postalPatterns: ['80*'],
        active: false,
      });
      expect(await deleteZone(em(), zone.id)).to.equal(true);
      expect(await deleteZone(em(), zone.id)).to.equal(false);
      expect((await failureOf(getZone(em(), zone.id))).code).to.equal(status.NOT_FOUND);
    });

    it('lists oldest first in keyset pages, filtered by country; a token of another listing is refused', async () => {
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await admin.zone({ name: `IS ${i}`, countries: ['IS'] }));
      await admin.zone({ name: 'not IS', countries: ['FO'] });
      const first = await listZones(
        em(),
        ListZonesRequest.fromPartial({ country: 'IS', page: { pageSize: 2 } }),
      );
      const second = await listZones(em(), {
        country: 'IS',
        page: { pageSize: 2, pageToken: first.nextPageToken },
      });
      const third = await listZones(em(), {
        country: 'IS',
        page: { pageSize: 2, pageToken: second.nextPageToken },
      });
      expect([...first.zones, ...second.zones, ...third.zones].map((z) => z.id)).to.deep.equal(
        made.map((z) => z.id),
      );
      expect(third.nextPageToken).to.equal('');
      const mismatch = await failureOf(
        listZones(em(), { country: 'FO', page: { pageSize: 2, pageToken: first.nextPageToken } }),
      );
      expect(fields(mismatch)).to.deep.equal(['page.page_token']);
      expect(fields(await failureOf(listZones(em(), { country: 'ZZ' })))).to.deep.equal(['country']);
    });
  });

  describe('methods and rate tiers', () => {
    it('creates a method in its base price’s currency, of an existing zone and carrier', async () => {
      const zone = await admin.zone({ name: 'FR', countries: ['FR'] });
      const carrier = await admin.carrier();
      const method = await admin.method(zone, carrier.code, {
        name: 'Colissimo',
        serviceType: ServiceType.SERVICE_TYPE_EXPRESS,
        basePrice: eur(450),
        pricePerKg: eur(90),
        estimatedDays: 2,
      });
      expect(method).to.deep.include({
        zoneId: zone.id,
        carrierCode: carrier.code,
        serviceType: ServiceType.SERVICE_TYPE_EXPRESS,
        basePrice: eur(450),
        pricePerKg: eur(90),
        pricePerItem: eur(0),
        estimatedDays: 2,
        active: true,
        rateCount: 0,
      });
      await admin.rate(method, { maxWeightGrams: 2000, rate: eur(500) });
      expect((await getShippingMethod(em(), method.id)).rateCount).to.equal(1);
      const listed = await listShippingMethods(em(), { zoneId: zone.id });
      expect(listed.methods.map((m) => [m.id, m.rateCount])).to.deep.equal([[method.id, 1]]);
    });

    it('refuses an unknown carrier (UNKNOWN_CARRIER), an unknown zone (NOT_FOUND) and prices in two currencies', async () => {
      const zone = await admin.zone({ name: 'BE', countries: ['BE'] });
      const carrier = await admin.carrier();
      const unknown = await failureOf(admin.method(zone, 'nobody'));
      expect(unknown.code).to.equal(status.FAILED_PRECONDITION);
      expect(unknown.reason).to.equal(ShippingReason.UNKNOWN_CARRIER);
      expect(unknown.metadata).to.deep.equal({ carrier_code: 'nobody' });
      const noZone = await failureOf(
        createShippingMethod(
          em(),
          CreateShippingMethodRequest.fromPartial({
            zoneId: newId(),
            name: 'x',
            carrierCode: carrier.code,
            serviceType: ServiceType.SERVICE_TYPE_STANDARD,
            basePrice: eur(1),
          }),
        ),
      );
      expect(noZone.code).to.equal(status.NOT_FOUND);
      const mixed = await failureOf(
        createShippingMethod(
          em(),
          CreateShippingMethodRequest.fromPartial({
            zoneId: zone.id,
            name: 'x',
            carrierCode: 'BAD CODE',
            basePrice: eur(1),
            pricePerKg: { currencyCode: 'USD', amountMinor: 5 },
            pricePerItem: eur(-1),
            estimatedDays: 400,
          }),
        ),
      );
      expect(fields(mixed)).to.deep.equal([
        'service_type',
        'carrier_code',
        'price_per_kg.currency_code',
        'price_per_item.amount_minor',
        'estimated_days',
      ]);
    });

    it('holds a tier to its method’s currency and to maxima above minima; an update replaces every field', async () => {
      const zone = await admin.zone({ name: 'LU', countries: ['LU'] });
      const method = await admin.method(zone, (await admin.carrier()).code);
      const bad = await failureOf(
        admin.rate(method, {
          minWeightGrams: 2000,
          maxWeightGrams: 2000,
          minAmount: eur(100),
          maxAmount: eur(50),
          rate: { currencyCode: 'USD', amountMinor: 1 },
        }),
      );
      expect(fields(bad)).to.deep.equal(['max_weight_grams', 'max_amount', 'rate.currency_code']);
      const huge = await failureOf(admin.rate(method, { minWeightGrams: 10_000_000_000, rate: eur(1) }));
      expect(fields(huge)).to.deep.equal(['min_weight_grams']);

      const tier = await admin.rate(method, {
        minWeightGrams: 500,
        maxWeightGrams: 1500,
        maxAmount: eur(5000),
        rate: eur(390),
      });
      expect(tier).to.deep.include({
        methodId: method.id,
        minWeightGrams: 500,
        maxWeightGrams: 1500,
        minAmount: eur(0),
        maxAmount: eur(5000),
        rate: eur(390),
      });
      const replaced = await updateShippingRate(
        em(),
        UpdateShippingRateRequest.fromPartial({ rateId: tier.id, rate: eur(0) }),
      );
      expect(replaced).to.deep.include({
        minWeightGrams: 0,
        maxWeightGrams: undefined,
        maxAmount: undefined,
        rate: eur(0),
      });
      expect((await listShippingRates(em(), { methodId: method.id })).rates).to.deep.equal([replaced]);
      expect(await deleteShippingRate(em(), tier.id)).to.equal(true);
      expect(await deleteShippingRate(em(), tier.id)).to.equal(false);
      expect((await failureOf(listShippingRates(em(), { methodId: newId() }))).code).to.equal(
        status.NOT_FOUND,
      );
    });

    it('deletes a method with its tiers, but not one shipments used (SHIPPING_METHOD_IN_USE), nor its zone', async () => {
      const zone = await admin.zone({ name: 'NL', countries: ['NL'] });
      const carrier = await admin.carrier();
      const unused = await admin.method(zone, carrier.code);
      await admin.rate(unused, { rate: eur(100) });
      expect(await deleteShippingMethod(em(), unused.id)).to.equal(true);
      expect(await deleteShippingMethod(em(), unused.id)).to.equal(false);
      const [{ n }] = (await em().execute(
        'SELECT count(*)::int AS n FROM shipping_rates WHERE method_id = ?',
        [unused.id],
      )) as [{ n: number }];
      expect(n).to.equal(0);

      const used = await admin.method(zone, carrier.code);
      await shipWith(used.id, carrier.id);
      const method = await failureOf(deleteShippingMethod(em(), used.id));
      expect(method.code).to.equal(status.FAILED_PRECONDITION);
      expect(method.reason).to.equal(ShippingReason.SHIPPING_METHOD_IN_USE);
      expect(method.metadata).to.deep.equal({ method_id: used.id });
      const ofZone = await failureOf(deleteZone(em(), zone.id));
      expect(ofZone.reason).to.equal(ShippingReason.SHIPPING_METHOD_IN_USE);
      expect(ofZone.metadata).to.deep.equal({ zone_id: zone.id });
      expect((await getShippingMethod(em(), used.id)).id).to.equal(used.id);
    });
  });

  describe('carriers', () => {
    it('stores the API key only encrypted, bound to the carrier, and never answers it', async () => {
      const carrier = await createCarrier(
        em(),
        cipher,
        CreateCarrierRequest.fromPartial({
          name: 'Fast Post',
          code: 'fastpost',
          apiEndpoint: 'https://api.fastpost.example/v2',
          apiKey: 'fp_live_secret_123',
          configurationJson: '{"account":"4711"}',
        }),
      );
      expect(carrier).to.deep.include({
        code: 'fastpost',
        hasApiKey: true,
        apiEndpoint: 'https://api.fastpost.example/v2',
        configurationJson: '{"account":"4711"}',
      });
      expect(JSON.stringify(carrier)).not.to.contain('fp_live_secret');
      const [row] = await em().execute<{ api_key: string }[]>('SELECT api_key FROM carriers WHERE id = ?', [
        carrier.id,
      ]);
      expect(row!.api_key).to.match(/^v1:k1:/);
      expect(row!.api_key).not.to.contain('fp_live_secret');
      expect(cipher.decrypt(row!.api_key, carrier.id)).to.equal('fp_live_secret_123');
      expect(() => cipher.decrypt(row!.api_key, newId())).to.throw();

      const rotated = await updateCarrier(
        em(),
        cipher,
        UpdateCarrierRequest.fromPartial({ carrierId: carrier.id, apiKey: 'fp_live_secret_456' }),
      );
      expect(rotated.hasApiKey).to.equal(true);
      const [after] = await em().execute<{ api_key: string }[]>('SELECT api_key FROM carriers WHERE id = ?', [
        carrier.id,
      ]);
      expect(cipher.decrypt(after!.api_key, carrier.id)).to.equal('fp_live_secret_456');
      const cleared = await updateCarrier(
        em(),
        cipher,
        UpdateCarrierRequest.fromPartial({ carrierId: carrier.id, clearApiKey: true }),
      );
      expect(cleared.hasApiKey).to.equal(false);
      expect(await getCarrier(em(), carrier.id)).to.deep.equal(cleared);
      const both = await failureOf(
        updateCarrier(
          em(),
          cipher,
          UpdateCarrierRequest.fromPartial({ carrierId: carrier.id, apiKey: 'k', clearApiKey: true }),
        ),
      );
      expect(fields(both)).to.deep.equal(['clear_api_key']);
    });

    it('refuses a taken code with ALREADY_EXISTS CARRIER_CODE_TAKEN, also when two creations race', async () => {
      await admin.carrier({ code: 'taken' });
      const taken = await failureOf(admin.carrier({ code: 'taken' }));
      expect(taken.code).to.equal(status.ALREADY_EXISTS);
      expect(taken.reason).to.equal(ShippingReason.CARRIER_CODE_TAKEN);
      expect(taken.metadata).to.deep.equal({ carrier_code: 'taken' });
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => admin.carrier({ code: 'raced' })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      for (const result of results.filter((r) => r.status === 'rejected')) {
        expect((result as PromiseRejectedResult).reason.reason).to.equal(ShippingReason.CARRIER_CODE_TAKEN);
      }
    });

    it('refuses malformed fields, naming each', async () => {
      const failure = await failureOf(
        admin.carrier({ name: '', code: 'UPS!', apiEndpoint: 'ftp://x', configurationJson: '[1,2]' }),
      );
      expect(fields(failure)).to.deep.equal(['name', 'code', 'api_endpoint', 'configuration_json']);
    });

    it('carries a new code to its methods; deletes only a carrier nothing uses (CARRIER_IN_USE)', async () => {
      const carrier = await admin.carrier({ code: 'oldcode' });
      const zone = await admin.zone({ name: 'PL', countries: ['PL'] });
      const method = await admin.method(zone, 'oldcode');
      await updateCarrier(
        em(),
        cipher,
        UpdateCarrierRequest.fromPartial({ carrierId: carrier.id, code: 'newcode' }),
      );
      expect((await getShippingMethod(em(), method.id)).carrierCode).to.equal('newcode');

      const inUse = await failureOf(deleteCarrier(em(), carrier.id));
      expect(inUse.code).to.equal(status.FAILED_PRECONDITION);
      expect(inUse.reason).to.equal(ShippingReason.CARRIER_IN_USE);
      expect(inUse.metadata).to.deep.equal({ carrier_id: carrier.id });
      await deleteShippingMethod(em(), method.id);
      expect(await deleteCarrier(em(), carrier.id)).to.equal(true);
      expect(await deleteCarrier(em(), carrier.id)).to.equal(false);

      const shipped = await admin.carrier();
      const other = await admin.carrier();
      const shippedMethod = await admin.method(zone, other.code);
      await shipWith(shippedMethod.id, shipped.id);
      expect((await failureOf(deleteCarrier(em(), shipped.id))).reason).to.equal(
        ShippingReason.CARRIER_IN_USE,
      );
    });

    it('a method created while its carrier is deleted: one of the two wins, never a method without carrier', async () => {
      const zone = await admin.zone({ name: 'SK', countries: ['SK'] });
      for (let round = 0; round < 5; round++) {
        const carrier = await admin.carrier();
        const [created, deleted] = await Promise.allSettled([
          admin.method(zone, carrier.code),
          deleteCarrier(em(), carrier.id),
        ]);
        const methodMade = created.status === 'fulfilled';
        const carrierGone = deleted.status === 'fulfilled' && deleted.value;
        expect(methodMade !== carrierGone, `round ${round}`).to.equal(true);
        if (!methodMade)
          expect((created as PromiseRejectedResult).reason.reason).to.equal(ShippingReason.UNKNOWN_CARRIER);
        else expect((deleted as PromiseRejectedResult).reason.reason).to.equal(ShippingReason.CARRIER_IN_USE);
      }
    });

    it('lists carriers oldest first in pages, without their keys', async () => {
      const all = [];
      let pageToken = '';
      do {
        const page = await listCarriers(em(), { page: { pageSize: 3, pageToken } });
        all.push(...page.carriers);
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      const ids = all.map((carrier) => carrier.id);
      expect(ids).to.deep.equal([...ids].sort());
      expect(all.length).to.be.greaterThan(5);
      expect(JSON.stringify(all)).not.to.match(/secret|v1:k1:/);
    });
  });
});
