import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { CreateProductRequest, UpdateProductRequest } from '../gen/ecommerce/product/v1/product.js';
import { failureOf } from './support/clients.js';
import { startCatalogWorld, type CatalogWorld } from './catalog-fixtures.js';
import { unique } from './support/unique.js';

/*
 * Weights (whole grams) and package sizes (whole millimetres) of products and variants: what the
 * shipping service prices a basket by. A variant without its own has its product's.
 */
describe('catalog weights and dimensions: CreateProduct, UpdateProduct, GetProduct, BatchGetProducts', function () {
  this.timeout(180_000);
  let world: CatalogWorld;
  let admin: { token: string };

  before(async () => {
    world = await startCatalogWorld();
    admin = { token: world.adminToken };
  });
  after(async () => {
    await world?.stop();
  });

  const get = async (id: string) =>
    (await world.api.product.getProduct({ lookup: { $case: 'id', value: id } })).product!;
  const measuresOf = (product: Awaited<ReturnType<typeof get>>) => ({
    weightGrams: product.weightGrams,
    dimensions: product.dimensions,
    variants: product.variants.map((v) => [v.name, v.weightGrams, v.dimensions]),
  });

  it('stores the product’s and each variant’s own weight and size; a variant without its own has the product’s', async () => {
    const product = await world.createProduct({
      weightGrams: 1250,
      dimensions: { lengthMm: 300, widthMm: 200, heightMm: 15 },
      variants: [
        { name: 'Small' },
        { name: 'Big', weightGrams: 2001, dimensions: { lengthMm: 401, widthMm: 250, heightMm: 30 } },
        { name: 'Digital', weightGrams: 0 },
      ],
    });
    const expected = {
      weightGrams: 1250,
      dimensions: { lengthMm: 300, widthMm: 200, heightMm: 15 },
      variants: [
        ['Small', 1250, { lengthMm: 300, widthMm: 200, heightMm: 15 }],
        ['Big', 2001, { lengthMm: 401, widthMm: 250, heightMm: 30 }],
        ['Digital', 0, { lengthMm: 300, widthMm: 200, heightMm: 15 }],
      ],
    };
    expect(measuresOf(product)).to.deep.equal(expected);
    expect(measuresOf(await get(product.id))).to.deep.equal(expected);
    const [batched] = (await world.api.product.batchGetProducts({ ids: [product.id] })).products;
    expect(measuresOf(batched!)).to.deep.equal(expected);
  });

  it('leaves weight and size unset when nobody entered them', async () => {
    const product = await world.createProduct();
    expect(measuresOf(await get(product.id))).to.deep.equal({
      weightGrams: undefined,
      dimensions: undefined,
      variants: [['M', undefined, undefined]],
    });
  });

  it('changes, clears and inherits weights and sizes with UpdateProduct', async () => {
    const product = await world.createProduct({
      weightGrams: 500,
      variants: [{ name: 'A' }, { name: 'B', weightGrams: 900 }],
    });
    const [a, b] = product.variants;
    const { product: updated } = await world.api.product.updateProduct(
      UpdateProductRequest.fromPartial({
        productId: product.id,
        weightGrams: 600,
        dimensions: { lengthMm: 100, widthMm: 100, heightMm: 100 },
        variants: [
          { id: a!.id, weightGrams: 750 },
          { id: b!.id, clearWeight: true, dimensions: { lengthMm: 5, widthMm: 6, heightMm: 7 } },
          { id: '', sku: unique('NEW').toUpperCase(), name: 'C' },
        ],
      }),
      admin,
    );
    const box = { lengthMm: 100, widthMm: 100, heightMm: 100 };
    expect(measuresOf(updated!)).to.deep.equal({
      weightGrams: 600,
      dimensions: box,
      variants: [
        ['A', 750, box],
        ['B', 600, { lengthMm: 5, widthMm: 6, heightMm: 7 }],
        ['C', 600, box],
      ],
    });
    const { product: cleared } = await world.api.product.updateProduct(
      UpdateProductRequest.fromPartial({
        productId: product.id,
        clearWeight: true,
        clearDimensions: true,
        variants: [{ id: b!.id, clearDimensions: true }],
      }),
      admin,
    );
    expect(measuresOf(cleared!)).to.deep.equal({
      weightGrams: undefined,
      dimensions: undefined,
      variants: [
        ['A', 750, undefined],
        ['B', undefined, undefined],
        ['C', undefined, undefined],
      ],
    });
    expect(measuresOf(await get(product.id))).to.deep.equal(measuresOf(cleared!));
  });

  it('refuses weights and sizes out of range, naming the field, and writes nothing', async () => {
    const create = (patch: Partial<CreateProductRequest>) =>
      failureOf(
        world.api.product.createProduct(
          CreateProductRequest.fromPartial({
            sku: unique('W').toUpperCase(),
            name: 'x',
            slug: unique('w'),
            price: { currencyCode: 'EUR', amountMinor: 100 },
            ...patch,
          }),
          admin,
        ),
      );
    const cases: [Partial<CreateProductRequest>, string][] = [
      [{ weightGrams: -1 }, 'weight_grams'],
      [{ weightGrams: 100_000_001 }, 'weight_grams'],
      [{ dimensions: { lengthMm: 0, widthMm: 10, heightMm: 10 } }, 'dimensions.length_mm'],
      [{ dimensions: { lengthMm: 10, widthMm: 10, heightMm: 10_000_001 } }, 'dimensions.height_mm'],
      [
        { variants: [{ sku: unique('V').toUpperCase(), name: 'v', weightGrams: -5 }] },
        'variants[0].weight_grams',
      ],
    ];
    for (const [patch, field] of cases) {
      const failure = await create(patch);
      expect(failure.code, field).to.equal(status.INVALID_ARGUMENT);
      expect(
        failure.violations.map((v) => v.field),
        field,
      ).to.deep.equal([field]);
    }

    const product = await world.createProduct({ weightGrams: 10 });
    const both = await failureOf(
      world.api.product.updateProduct(
        UpdateProductRequest.fromPartial({ productId: product.id, weightGrams: 20, clearWeight: true }),
        admin,
      ),
    );
    expect(both.code).to.equal(status.INVALID_ARGUMENT);
    expect(both.violations.map((v) => v.field)).to.deep.equal(['clear_weight']);
    const variantBoth = await failureOf(
      world.api.product.updateProduct(
        UpdateProductRequest.fromPartial({
          productId: product.id,
          variants: [
            {
              id: product.variants[0]!.id,
              dimensions: { lengthMm: 1, widthMm: 1, heightMm: 1 },
              clearDimensions: true,
            },
          ],
        }),
        admin,
      ),
    );
    expect(variantBoth.violations.map((v) => v.field)).to.deep.equal(['variants[0].clear_dimensions']);
    expect((await get(product.id)).weightGrams).to.equal(10);
  });
});
