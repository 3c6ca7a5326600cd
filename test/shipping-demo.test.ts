import { expect } from 'chai';
import { ProductServiceClient, type Product } from '../gen/ecommerce/product/v1/product.js';
import { ServiceType, ShippingServiceClient } from '../gen/ecommerce/shipping/v1/shipping.js';
import { generateCatalog } from '../services/product/src/seed/index.js';
import { plainClient } from './support/clients.js';
import { startTestMesh, type TestMesh } from './support/mesh.js';
import { basketTo, eur } from './shipping-fixtures.js';

/*
 * The demo store quotes: a new store (SEED_DEMO_DATA, as `make run` sets it) offers its demo
 * shipping methods for a demo product, priced by the demo tiers, cheapest first.
 */
describe('the demo store’s shipping (SEED_DEMO_DATA)', function () {
  this.timeout(180_000);
  let mesh: TestMesh;
  let shipping: ReturnType<typeof plainClient<typeof ShippingServiceClient.service>>;
  let product: Product;

  before(async () => {
    process.env.SEED_DEMO_DATA = 'true';
    try {
      mesh = await startTestMesh(['auth', 'product', 'shipping'], { inProcess: true });
    } finally {
      delete process.env.SEED_DEMO_DATA;
    }
    shipping = plainClient(ShippingServiceClient, mesh.address('shipping'));
    const catalog = plainClient(ProductServiceClient, mesh.address('product'));
    try {
      const demo = generateCatalog()[0]!;
      product = (await catalog.getProduct({ lookup: { $case: 'slug', value: demo.slug } })).product!;
      expect(product.weightGrams).to.equal(Math.round(Number(demo.weight) * 1000));
    } finally {
      catalog.close();
    }
  });
  after(async () => {
    shipping?.close();
    await mesh?.stop();
  });

  const offers = async (country: string, subtotal: number, quantity = 1) => {
    const quote = await shipping.quoteShipping(
      basketTo(country, [[product, 0, quantity]], eur(subtotal), '10115'),
    );
    return quote.options.map((option) => [option.name, option.carrierCode, option.serviceType, option.price]);
  };

  it('a German address gets the three German methods, cheapest first', async () => {
    const grams = product.variants[0]!.weightGrams!;
    expect(grams).to.be.below(2000);
    expect(await offers('DE', 1999)).to.deep.equal([
      ['Standard', 'dhl', ServiceType.SERVICE_TYPE_STANDARD, eur(490)],
      ['Express', 'dpd', ServiceType.SERVICE_TYPE_EXPRESS, eur(990)],
      // 14.90 € + 1.00 € per kg, exact grams, half up.
      ['Next-day before noon', 'ups', ServiceType.SERVICE_TYPE_OVERNIGHT, eur(1490 + Math.round(grams / 10))],
    ]);
  });

  it('standard shipping in Germany is free from 50 EUR', async () => {
    expect((await offers('DE', 5000))[0]).to.deep.equal([
      'Standard',
      'dhl',
      ServiceType.SERVICE_TYPE_STANDARD,
      eur(0),
    ]);
  });

  it('other demo zones quote their own methods; a country without a zone gets none', async () => {
    expect((await offers('FR', 1999)).map(([name, , , price]) => [name, price])).to.deep.equal([
      ['Standard', eur(990)],
      ['Express', eur(1990)],
    ]);
    expect((await offers('US', 1999)).map(([name, , , price]) => [name, price])).to.deep.equal([
      ['International Standard', eur(1990)],
      ['International Express', eur(3990)],
    ]);
    expect(await offers('AU', 1999)).to.deep.equal([]);
  });
});
