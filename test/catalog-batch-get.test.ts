import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { newId } from '../lib/ids.js';
import { startCatalogWorld, type CatalogWorld } from './catalog-fixtures.js';
import { failureOf } from './support/clients.js';

describe('catalog: BatchGetProducts', function () {
  this.timeout(120_000);
  let world: CatalogWorld;
  let api: CatalogWorld['api'];

  before(async () => {
    world = await startCatalogWorld();
    api = world.api;
  });
  after(async () => {
    await world?.stop();
  });

  /** Medium (`stock` units, the product's price) and Large (none, at 24.99). */
  const createProduct = (stock: number, priceMinor = 1999) =>
    world.createProduct({
      price: { currencyCode: 'EUR', amountMinor: priceMinor },
      variants: [
        { name: 'Medium', initialStock: stock },
        { name: 'Large', price: { currencyCode: 'EUR', amountMinor: 2499 }, initialStock: 0 },
      ],
    });

  it('answers the products in request order with variants, prices and availability, and lists missing ids', async () => {
    const first = await createProduct(7);
    const second = await createProduct(3, 999);
    const unknown = newId();

    const { products, missingIds } = await api.product.batchGetProducts({
      ids: [second.id, unknown, first.id, second.id],
    });

    expect(products.map((p) => p.id)).to.deep.equal([second.id, first.id]);
    expect(missingIds).to.deep.equal([unknown]);
    const [medium, large] = products[1]!.variants;
    expect(products[1]!.status).to.equal(first.status);
    expect(medium).to.include({ sku: first.variants[0]!.sku, availableQuantity: 7 });
    expect(medium!.price).to.deep.equal({ currencyCode: 'EUR', amountMinor: 1999 });
    expect(large).to.include({ availableQuantity: 0 });
    expect(large!.price).to.deep.equal({ currencyCode: 'EUR', amountMinor: 2499 });
    expect(products[0]!.variants[0]!.price).to.deep.equal({ currencyCode: 'EUR', amountMinor: 999 });
  });

  it('answers an empty list, and every id missing, when nothing matches', async () => {
    const ids = [newId(), newId()];
    const { products, missingIds } = await api.product.batchGetProducts({ ids });
    expect(products).to.deep.equal([]);
    expect(missingIds).to.deep.equal(ids);
  });

  it('refuses no ids, more than 100, and an id that is not a UUID, naming the field', async () => {
    const none = await failureOf(api.product.batchGetProducts({ ids: [] }));
    expect(none.code).to.equal(status.INVALID_ARGUMENT);
    expect(none.violations.map((v) => v.field)).to.deep.equal(['ids']);

    const tooMany = await failureOf(
      api.product.batchGetProducts({ ids: Array.from({ length: 101 }, () => newId()) }),
    );
    expect(tooMany.code).to.equal(status.INVALID_ARGUMENT);
    expect(tooMany.details).to.contain('at most 100');

    const malformed = await failureOf(api.product.batchGetProducts({ ids: [newId(), 'not-a-uuid'] }));
    expect(malformed.code).to.equal(status.INVALID_ARGUMENT);
    expect(malformed.violations).to.deep.equal([{ field: 'ids[1]', description: 'must be a UUID' }]);
  });
});
