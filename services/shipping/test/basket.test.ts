import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { newId } from '../../../lib/ids.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import type { ScratchDatabase } from '../../../lib/testing/scratch-database.js';
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
 * A quote's request: where, which lines, what subtotal; the weights come from the catalog (one call
 * per quote), never from the caller.
 */
describe('shipping quotes: the basket and its request', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openShippingDatabase('shipping_basket');
    const admin = shippingAdmin(() => db.orm.em.fork());
    const carrier = await admin.carrier();
    const zone = await admin.zone({ name: 'DE', countries: ['DE'] });
    await admin.method(zone, carrier.code, { name: 'Per kg', pricePerKg: eur(1000) });
  });
  after(async () => {
    await db?.drop();
  });

  it('weighs every line with the catalog’s unit weights, in one catalog call', async () => {
    const shirt = productWeighing(250, 300);
    const boots = productWeighing(1200);
    const catalog = catalogOf(shirt, boots);
    const request = quoteRequest(shirt, { country: 'DE' });
    request.lines = [
      { productId: shirt.id, variantId: shirt.variants[0]!.id, quantity: 2 },
      { productId: shirt.id, variantId: shirt.variants[1]!.id, quantity: 1 },
      { productId: boots.id, variantId: boots.variants[0]!.id, quantity: 1 },
      { productId: shirt.id, variantId: shirt.variants[0]!.id, quantity: 1 },
    ];
    const quote = await quoteShipping(db.orm.em.fork(), catalog, request);
    expect(quote.totalWeightGrams).to.equal(3 * 250 + 300 + 1200);
    expect(quote.options.map((option) => option.price)).to.deep.equal([eur(2250)]);
    expect(catalog.calls).to.equal(1);
  });

  it('answers NOT_FOUND for a product the catalog does not sell, naming its line', async () => {
    const known = productWeighing(100);
    const request = quoteRequest(known, { country: 'DE' });
    const unknownId = newId();
    request.lines.push({ productId: unknownId, variantId: newId(), quantity: 1 });
    const failure = await failureOf(quoteShipping(db.orm.em.fork(), catalogOf(known), request));
    expect(failure.code).to.equal(status.NOT_FOUND);
    expect(failure.message).to.equal(`product ${unknownId} (lines[1].product_id) not found`);
  });

  it('refuses a variant that is not an active variant of its product, naming lines[i].variant_id', async () => {
    const product = productWeighing(100);
    const request = quoteRequest(product, { country: 'DE' });
    request.lines[0]!.variantId = newId();
    const failure = await failureOf(quoteShipping(db.orm.em.fork(), catalogOf(product), request));
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations).to.deep.equal([
      { field: 'lines[0].variant_id', description: `is not an active variant of product ${product.id}` },
    ]);
  });

  it('refuses every malformed field at once, before asking the catalog', async () => {
    const product = productWeighing(100);
    const catalog = catalogOf(product);
    const request = quoteRequest(product, {
      country: 'de',
      subtotal: { currencyCode: 'QQQ', amountMinor: -1 },
    });
    request.lines = [
      { productId: 'nope', variantId: '', quantity: 0 },
      { productId: product.id, variantId: product.variants[0]!.id, quantity: 100_001 },
    ];
    const failure = await failureOf(quoteShipping(db.orm.em.fork(), catalog, request));
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations!.map((v) => v.field)).to.deep.equal([
      'destination.country',
      'lines[0].product_id',
      'lines[0].variant_id',
      'lines[0].quantity',
      'lines[1].quantity',
      'subtotal.currency_code',
      'subtotal.amount_minor',
    ]);
    expect(catalog.calls).to.equal(0);

    const empty = await failureOf(
      quoteShipping(db.orm.em.fork(), catalog, { destination: undefined, lines: [], subtotal: undefined }),
    );
    expect(empty.violations!.map((v) => v.field)).to.deep.equal(['destination', 'lines', 'subtotal']);
    const many = quoteRequest(product, { country: 'DE' });
    many.lines = Array.from({ length: 101 }, () => many.lines[0]!);
    expect((await failureOf(quoteShipping(db.orm.em.fork(), catalog, many))).violations).to.deep.equal([
      { field: 'lines', description: 'must have at most 100 entries' },
    ]);
  });
});
