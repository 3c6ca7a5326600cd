import { expect } from 'chai';
import { UpdateZoneRequest, type ShippingZone } from '../../../gen/ecommerce/shipping/v1/shipping.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { updateZone } from '../src/domain/admin/zones.js';
import { quoteShipping } from '../src/domain/quote/quote-shipping.js';
import {
  catalogOf,
  eur,
  openShippingDatabase,
  productWeighing,
  quoteRequest,
  shippingAdmin,
} from './support.js';

/*
 * Which zone decides for an address: the most specific active zone that matches (postal pattern,
 * longer first and exact before prefix; then state; then country; then every country), then the
 * higher priority, then the older zone. Each test ships to countries of its own.
 */
describe('shipping quotes: which zone decides', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let admin: ReturnType<typeof shippingAdmin>;
  let carrierCode: string;
  const product = productWeighing(500);
  const catalog = catalogOf(product);

  before(async () => {
    db = await openShippingDatabase('shipping_zones');
    admin = shippingAdmin(() => db.orm.em.fork());
    carrierCode = (await admin.carrier()).code;
  });
  after(async () => {
    await db?.drop();
  });

  /** A zone with one method costing `price`, so a quote tells which zone decided. */
  async function zoneCosting(price: number, zone: Parameters<typeof admin.zone>[0]): Promise<ShippingZone> {
    const created = await admin.zone(zone);
    await admin.method(created, carrierCode, { name: `via ${zone.name}`, basePrice: eur(price) });
    return created;
  }

  const deactivate = (zone: ShippingZone) =>
    updateZone(db.orm.em.fork(), UpdateZoneRequest.fromPartial({ zoneId: zone.id, active: false }));

  const decides = async (address: { country: string; state?: string; postalCode?: string }) => {
    const quote = await quoteShipping(db.orm.em.fork(), catalog, quoteRequest(product, address));
    return { zoneId: quote.zoneId, prices: quote.options.map((option) => option.price!.amountMinor) };
  };

  it('postal pattern beats state, state beats country, country beats every country', async () => {
    const world = await zoneCosting(900, { name: 'world' });
    const country = await zoneCosting(500, { name: 'DE', countries: ['DE'] });
    const state = await zoneCosting(400, { name: 'Bavaria', countries: ['DE'], states: ['BY'] });
    const postal = await zoneCosting(300, { name: 'Munich', countries: ['DE'], postalPatterns: ['80*'] });

    expect(await decides({ country: 'DE', state: 'BY', postalCode: '80331' })).to.deep.equal({
      zoneId: postal.id,
      prices: [300],
    });
    expect(await decides({ country: 'DE', state: 'BY', postalCode: '90402' })).to.deep.equal({
      zoneId: state.id,
      prices: [400],
    });
    expect(await decides({ country: 'DE', state: 'BE', postalCode: '10115' })).to.deep.equal({
      zoneId: country.id,
      prices: [500],
    });
    expect(await decides({ country: 'JP', postalCode: '100-0001' })).to.deep.equal({
      zoneId: world.id,
      prices: [900],
    });
    // The other tests ship to countries of their own, with no zone of every country.
    await deactivate(world);
    expect(await decides({ country: 'JP' })).to.deep.equal({ zoneId: '', prices: [] });
  });

  it('a longer postal prefix beats a shorter one, and an exact code beats a prefix of its length', async () => {
    await zoneCosting(500, { name: 'FR 7', countries: ['FR'], postalPatterns: ['7*'] });
    const paris = await zoneCosting(400, { name: 'Paris', countries: ['FR'], postalPatterns: ['75*'] });
    const prefix = await zoneCosting(300, { name: '75001*', countries: ['FR'], postalPatterns: ['75001*'] });
    const exact = await zoneCosting(200, { name: '75001', countries: ['FR'], postalPatterns: ['75001'] });

    expect((await decides({ country: 'FR', postalCode: '75001' })).zoneId).to.equal(exact.id);
    expect((await decides({ country: 'FR', postalCode: '750012' })).zoneId).to.equal(prefix.id);
    expect((await decides({ country: 'FR', postalCode: '75002' })).zoneId).to.equal(paris.id);
  });

  it('compares postal codes in upper case without spaces, and states ignoring case and surrounding spaces', async () => {
    const london = await zoneCosting(300, {
      name: 'London SW',
      countries: ['GB'],
      postalPatterns: ['sw1a *'],
    });
    expect(london.postalPatterns).to.deep.equal(['SW1A*']);
    expect((await decides({ country: 'GB', postalCode: 'sw1a 1aa' })).zoneId).to.equal(london.id);

    const ontario = await zoneCosting(300, { name: 'Ontario', countries: ['CA'], states: ['Ontario'] });
    expect((await decides({ country: 'CA', state: '  ONTARIO ' })).zoneId).to.equal(ontario.id);
  });

  it('a zone with states or postal patterns does not match an address without them', async () => {
    await zoneCosting(300, { name: 'Vienna', countries: ['AT'], postalPatterns: ['1*'] });
    await zoneCosting(300, { name: 'Tyrol', countries: ['AT'], states: ['Tirol'] });
    const austria = await zoneCosting(500, { name: 'AT', countries: ['AT'] });
    expect((await decides({ country: 'AT' })).zoneId).to.equal(austria.id);
  });

  it('equally specific zones: the higher priority decides, then the older zone', async () => {
    const older = await zoneCosting(500, { name: 'IT old', countries: ['IT'] });
    await zoneCosting(400, { name: 'IT new', countries: ['IT'] });
    expect((await decides({ country: 'IT' })).zoneId).to.equal(older.id);
    const preferred = await zoneCosting(700, { name: 'IT preferred', countries: ['IT'], priority: 5 });
    expect((await decides({ country: 'IT' })).zoneId).to.equal(preferred.id);
  });

  it('an inactive zone is never matched: the next most specific one decides', async () => {
    const spain = await zoneCosting(500, { name: 'ES', countries: ['ES'] });
    const madrid = await zoneCosting(300, { name: 'Madrid', countries: ['ES'], postalPatterns: ['28*'] });
    expect((await decides({ country: 'ES', postalCode: '28001' })).zoneId).to.equal(madrid.id);
    await deactivate(madrid);
    expect((await decides({ country: 'ES', postalCode: '28001' })).zoneId).to.equal(spain.id);
    await zoneCosting(100, {
      name: 'Madrid inactive',
      countries: ['ES'],
      postalPatterns: ['28001'],
      active: false,
    });
    expect((await decides({ country: 'ES', postalCode: '28001' })).zoneId).to.equal(spain.id);
  });

  it('a deciding zone with no method that applies excludes its area: nothing is offered there', async () => {
    await zoneCosting(500, { name: 'PT', countries: ['PT'] });
    const islands = await admin.zone({
      name: 'Azores',
      countries: ['PT'],
      postalPatterns: ['95*', '96*', '97*', '98*', '99*'],
    });
    expect(await decides({ country: 'PT', postalCode: '9500-123' })).to.deep.equal({
      zoneId: islands.id,
      prices: [],
    });
    expect((await decides({ country: 'PT', postalCode: '1000-001' })).prices).to.deep.equal([500]);
  });

  it('no zone matches: an empty quote, not an error', async () => {
    expect(await decides({ country: 'NZ' })).to.deep.equal({ zoneId: '', prices: [] });
  });
});
