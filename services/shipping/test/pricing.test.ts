import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  ServiceType,
  UpdateShippingMethodRequest,
  UpdateCarrierRequest,
  type ShippingZone,
} from '../../../gen/ecommerce/shipping/v1/shipping.js';
import { ShippingReason } from '../../../lib/error-reasons.js';
import { newId } from '../../../lib/ids.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { updateCarrier } from '../src/domain/admin/carriers.js';
import { updateShippingMethod } from '../src/domain/admin/methods.js';
import { confirmShippingMethod } from '../src/domain/quote/confirm-shipping-method.js';
import { quoteShipping } from '../src/domain/quote/quote-shipping.js';
import {
  catalogOf,
  eur,
  openShippingDatabase,
  productWeighing,
  quoteRequest,
  shippingAdmin,
  testCipher,
} from './support.js';

/*
 * What a method costs: a matching rate tier's rate, or base + per kg (exact grams, half up) + per
 * item; in the method's currency only; active methods of active carriers only; cheapest first.
 * Each test ships to a country of its own.
 */
describe('shipping quotes: prices', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  const cipher = testCipher();
  let admin: ReturnType<typeof shippingAdmin>;
  let carrierCode: string;

  before(async () => {
    db = await openShippingDatabase('shipping_prices');
    admin = shippingAdmin(() => db.orm.em.fork(), cipher);
    carrierCode = (await admin.carrier()).code;
  });
  after(async () => {
    await db?.drop();
  });

  const zoneOf = (country: string) => admin.zone({ name: country, countries: [country] });

  async function prices(
    country: string,
    grams: number | undefined,
    options: { quantity?: number; subtotal?: { currencyCode: string; amountMinor: number } } = {},
  ) {
    const product = productWeighing(grams);
    const quote = await quoteShipping(
      db.orm.em.fork(),
      catalogOf(product),
      quoteRequest(product, { country, ...options }),
    );
    return quote.options.map((option) => [option.name, option.price]);
  }

  it('without tiers: base + per kg × exact grams, rounded half up once + per item × units', async () => {
    const zone = await zoneOf('DE');
    await admin.method(zone, carrierCode, {
      name: 'Parcel',
      basePrice: eur(300),
      pricePerKg: eur(100),
      pricePerItem: eur(25),
    });
    // 1.234 kg × 1.00 €/kg = 1.234 € → 123 cents; 1.235 kg → 123.5 → 124.
    expect(await prices('DE', 1234)).to.deep.equal([['Parcel', eur(300 + 123 + 25)]]);
    expect(await prices('DE', 1235)).to.deep.equal([['Parcel', eur(300 + 124 + 25)]]);
    // 3 units of 0.411 kg: 1.233 kg → 123 cents, and 3 × 25 per item.
    expect(await prices('DE', 411, { quantity: 3 })).to.deep.equal([['Parcel', eur(300 + 123 + 75)]]);
    // No weight known: counted as 0 g.
    expect(await prices('DE', undefined, { quantity: 2 })).to.deep.equal([['Parcel', eur(300 + 50)]]);
  });

  it('tiers by weight: minimum included, maximum excluded, no maximum unbounded', async () => {
    const zone = await zoneOf('NL');
    const method = await admin.method(zone, carrierCode, { name: 'Tiered', basePrice: eur(9999) });
    await admin.rate(method, { minWeightGrams: 0, maxWeightGrams: 2000, rate: eur(490) });
    await admin.rate(method, { minWeightGrams: 2000, maxWeightGrams: 10_000, rate: eur(690) });
    await admin.rate(method, { minWeightGrams: 10_000, rate: eur(1290) });
    expect(await prices('NL', 1999)).to.deep.equal([['Tiered', eur(490)]]);
    expect(await prices('NL', 2000)).to.deep.equal([['Tiered', eur(690)]]);
    expect(await prices('NL', 9999)).to.deep.equal([['Tiered', eur(690)]]);
    expect(await prices('NL', 10_000)).to.deep.equal([['Tiered', eur(1290)]]);
    expect(await prices('NL', 5000, { quantity: 100 })).to.deep.equal([['Tiered', eur(1290)]]);
  });

  it('tiers by amount: free shipping from 50 EUR of subtotal', async () => {
    const zone = await zoneOf('BE');
    const method = await admin.method(zone, carrierCode, { name: 'Standard' });
    await admin.rate(method, { maxAmount: eur(5000), rate: eur(490) });
    await admin.rate(method, { minAmount: eur(5000), rate: eur(0) });
    expect(await prices('BE', 800, { subtotal: eur(4999) })).to.deep.equal([['Standard', eur(490)]]);
    expect(await prices('BE', 800, { subtotal: eur(5000) })).to.deep.equal([['Standard', eur(0)]]);
  });

  it('overlapping tiers: the lowest rate applies; a method whose tiers all miss does not apply', async () => {
    const zone = await zoneOf('DK');
    const overlapping = await admin.method(zone, carrierCode, { name: 'Overlapping' });
    await admin.rate(overlapping, { maxWeightGrams: 5000, rate: eur(800) });
    await admin.rate(overlapping, { minWeightGrams: 1000, maxWeightGrams: 3000, rate: eur(600) });
    const light = await admin.method(zone, carrierCode, { name: 'Letters only' });
    await admin.rate(light, { maxWeightGrams: 500, rate: eur(100) });
    expect(await prices('DK', 400)).to.deep.equal([
      ['Letters only', eur(100)],
      ['Overlapping', eur(800)],
    ]);
    expect(await prices('DK', 2000)).to.deep.equal([['Overlapping', eur(600)]]);
    expect(await prices('DK', 6000)).to.deep.equal([]);
  });

  it('a price beyond the largest storable amount does not apply', async () => {
    const zone = await zoneOf('LU');
    await admin.method(zone, carrierCode, { name: 'Per kg', pricePerKg: eur(999_999_999_999) });
    expect(await prices('LU', 1000)).to.deep.equal([['Per kg', eur(999_999_999_999)]]);
    expect(await prices('LU', 1001)).to.deep.equal([]);
  });

  it('only methods in the subtotal’s currency apply; no method in it is an empty quote', async () => {
    const zone = await zoneOf('CH');
    await admin.method(zone, carrierCode, { name: 'In EUR', basePrice: eur(900) });
    await admin.method(zone, carrierCode, {
      name: 'In CHF',
      basePrice: { currencyCode: 'CHF', amountMinor: 800 },
    });
    expect(await prices('CH', 100, { subtotal: eur(1000) })).to.deep.equal([['In EUR', eur(900)]]);
    expect(await prices('CH', 100, { subtotal: { currencyCode: 'CHF', amountMinor: 1000 } })).to.deep.equal([
      ['In CHF', { currencyCode: 'CHF', amountMinor: 800 }],
    ]);
    expect(await prices('CH', 100, { subtotal: { currencyCode: 'USD', amountMinor: 1000 } })).to.deep.equal(
      [],
    );
  });

  it('inactive methods and methods of inactive carriers are not offered', async () => {
    const zone = await zoneOf('SE');
    const otherCarrier = await admin.carrier();
    const method = await admin.method(zone, carrierCode, { name: 'Kept', basePrice: eur(500) });
    const withdrawn = await admin.method(zone, carrierCode, { name: 'Withdrawn', basePrice: eur(100) });
    await admin.method(zone, otherCarrier.code, { name: 'Other carrier', basePrice: eur(200) });
    await admin.method(zone, carrierCode, { name: 'Never active', basePrice: eur(50), active: false });
    await updateShippingMethod(
      db.orm.em.fork(),
      UpdateShippingMethodRequest.fromPartial({ methodId: withdrawn.id, active: false }),
    );
    await updateCarrier(
      db.orm.em.fork(),
      cipher,
      UpdateCarrierRequest.fromPartial({ carrierId: otherCarrier.id, active: false }),
    );
    expect(await prices('SE', 100)).to.deep.equal([['Kept', eur(500)]]);
    expect(method.active).to.equal(true);
  });

  it('cheapest first, then the shorter estimate, then the method id', async () => {
    const zone = await zoneOf('PL');
    const make = (name: string, price: number, estimatedDays: number) =>
      admin.method(zone, carrierCode, { name, basePrice: eur(price), estimatedDays });
    const slowSame = await make('Slow 500', 500, 5);
    const fastSame = await make('Fast 500', 500, 2);
    const cheap = await make('Cheap', 300, 7);
    const twinA = await make('Twin A', 500, 2);
    const product = productWeighing(100);
    const { options } = await quoteShipping(
      db.orm.em.fork(),
      catalogOf(product),
      quoteRequest(product, { country: 'PL' }),
    );
    const twins = [fastSame.id, twinA.id].sort();
    expect(options.map((option) => option.methodId)).to.deep.equal([cheap.id, ...twins, slowSame.id]);
    expect(options[0]).to.deep.include({
      name: 'Cheap',
      carrierCode,
      serviceType: ServiceType.SERVICE_TYPE_STANDARD,
      estimatedDays: 7,
      zoneId: zone.id,
    });
  });

  describe('ConfirmShippingMethod: the quote’s price, or why not', () => {
    let zone: ShippingZone;
    before(async () => {
      zone = await zoneOf('CZ');
    });

    const confirm = (
      methodId: string,
      grams: number,
      options: { country?: string; subtotal?: ReturnType<typeof eur> } = {},
    ) => {
      const product = productWeighing(grams);
      return confirmShippingMethod(db.orm.em.fork(), catalogOf(product), {
        methodId,
        ...quoteRequest(product, { country: options.country ?? 'CZ', subtotal: options.subtotal }),
      });
    };

    it('answers exactly the quoted price and weight', async () => {
      const method = await admin.method(zone, carrierCode, {
        name: 'Confirmed',
        basePrice: eur(199),
        pricePerKg: eur(77),
      });
      const product = productWeighing(1550);
      const request = quoteRequest(product, { country: 'CZ', quantity: 3 });
      const quote = await quoteShipping(db.orm.em.fork(), catalogOf(product), request);
      const confirmed = await confirmShippingMethod(db.orm.em.fork(), catalogOf(product), {
        methodId: method.id,
        ...request,
      });
      expect(confirmed.option).to.deep.equal(quote.options.find((o) => o.methodId === method.id));
      expect(confirmed.totalWeightGrams).to.equal(4650);
      expect(confirmed.option!.price).to.deep.equal(eur(199 + 358)); // 4.65 kg × 0.77 = 3.5805 → 358
    });

    async function refusal(methodId: string, grams: number, options?: Parameters<typeof confirm>[2]) {
      const failure = await failureOf(confirm(methodId, grams, options));
      expect(failure.code).to.equal(status.FAILED_PRECONDITION);
      expect(failure.reason).to.equal(ShippingReason.SHIPPING_METHOD_NOT_AVAILABLE);
      return failure.metadata;
    }

    it('refuses an inactive method, one of an inactive zone or carrier, with cause inactive', async () => {
      const method = await admin.method(zone, carrierCode, { name: 'Off', active: false });
      expect(await refusal(method.id, 100)).to.deep.equal({ method_id: method.id, cause: 'inactive' });
      const carrier = await admin.carrier({ active: false });
      const ofInactiveCarrier = await admin.method(zone, carrier.code, { name: 'Inactive carrier' });
      expect(await refusal(ofInactiveCarrier.id, 100)).to.deep.equal({
        method_id: ofInactiveCarrier.id,
        cause: 'inactive',
      });
      const closed = await admin.zone({ name: 'closed', countries: ['CZ'], active: false });
      const ofClosedZone = await admin.method(closed, carrierCode, { name: 'Closed zone' });
      expect((await refusal(ofClosedZone.id, 100))!.cause).to.equal('inactive');
    });

    it('refuses a method of another zone than the one deciding for the address, with cause address', async () => {
      const method = await admin.method(zone, carrierCode, { name: 'Czech only' });
      expect(await refusal(method.id, 100, { country: 'SK' })).to.deep.equal({
        method_id: method.id,
        cause: 'address',
      });
    });

    it('refuses a method in another currency than the subtotal, with cause currency', async () => {
      const method = await admin.method(zone, carrierCode, {
        name: 'Koruna',
        basePrice: { currencyCode: 'CZK', amountMinor: 9900 },
      });
      expect((await refusal(method.id, 100))!.cause).to.equal('currency');
    });

    it('refuses a method whose tiers do not cover the basket, with cause no_rate', async () => {
      const method = await admin.method(zone, carrierCode, { name: 'Small parcels' });
      await admin.rate(method, { maxWeightGrams: 1000, rate: eur(300) });
      expect((await confirm(method.id, 999)).option!.price).to.deep.equal(eur(300));
      expect((await refusal(method.id, 1000))!.cause).to.equal('no_rate');
    });

    it('answers NOT_FOUND for an unknown method', async () => {
      const failure = await failureOf(confirm(newId(), 100));
      expect(failure.code).to.equal(status.NOT_FOUND);
    });
  });
});
