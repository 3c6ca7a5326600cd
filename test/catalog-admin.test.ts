import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  CreateProductRequest,
  ProductStatus,
  UpdateProductRequest,
} from '../gen/ecommerce/product/v1/product.js';
import { newId } from '../lib/ids.js';
import { failureOf } from './support/clients.js';
import { startCatalogWorld, type CatalogWorld } from './catalog-fixtures.js';
import { unique } from './support/unique.js';

describe('catalog admin: CreateProduct, UpdateProduct, PublishProduct, ArchiveProduct, GetProduct', function () {
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

  const get = (value: string, token?: string) =>
    world.api.product.getProduct({ lookup: { $case: 'id', value } }, { token });
  const bySlug = (value: string, token?: string) =>
    world.api.product.getProduct({ lookup: { $case: 'slug', value } }, { token });

  it('creates a product with variants, images, tags and categories, published, as shoppers then read it', async () => {
    const { category } = await world.api.product.createCategory(
      { name: 'Tops', slug: unique('tops'), description: '', parentId: '', imageUrl: '' },
      admin,
    );
    const product = await world.createProduct({
      shortDescription: 'Soft cotton',
      compareAtPrice: { currencyCode: 'EUR', amountMinor: 2999 },
      images: [
        { url: 'https://cdn.example.com/a.jpg', altText: 'front', primary: false },
        { url: 'https://cdn.example.com/b.jpg', altText: 'back', primary: true },
      ],
      tags: ['Summer', 'cotton', 'summer'],
      categoryIds: [category!.id],
      variants: [
        { name: 'M', initialStock: 4, attributes: { size: 'M' } },
        {
          name: 'L',
          initialStock: 0,
          price: { currencyCode: 'EUR', amountMinor: 2499 },
          imageUrl: 'https://cdn.example.com/l.jpg',
        },
      ],
    });
    expect(product.status).to.equal(ProductStatus.PRODUCT_STATUS_ACTIVE);
    expect(product.publishedAt).to.be.instanceOf(Date);

    const { product: read } = await bySlug(product.slug);
    expect(read).to.deep.equal(product);
    expect(read!.tags).to.deep.equal(['cotton', 'summer']);
    expect(read!.categoryIds).to.deep.equal([category!.id]);
    expect(read!.images.map((image) => [image.url, image.primary])).to.deep.equal([
      ['https://cdn.example.com/b.jpg', true],
      ['https://cdn.example.com/a.jpg', false],
    ]);
    expect(read!.variants.map((v) => [v.name, v.availableQuantity, v.price!.amountMinor])).to.deep.equal([
      ['M', 4, 1999],
      ['L', 0, 2499],
    ]);
    expect(read!.variants[0]!.attributes).to.deep.equal({ size: 'M' });
    expect(read!.rating).to.deep.equal({ average: 0, count: 0 });
  });

  it('keeps a draft from shoppers, shows it to editors, and publishes it once (repeat answers it unchanged)', async () => {
    const draft = await world.createProduct({ draft: true });
    expect(draft.status).to.equal(ProductStatus.PRODUCT_STATUS_DRAFT);
    expect(draft.publishedAt).to.equal(undefined);
    expect((await failureOf(get(draft.id))).code).to.equal(status.NOT_FOUND);
    expect((await failureOf(bySlug(draft.slug))).code).to.equal(status.NOT_FOUND);
    expect((await get(draft.id, world.adminToken)).product!.id).to.equal(draft.id);
    const batch = await world.api.product.batchGetProducts({ ids: [draft.id] });
    expect(batch.missingIds).to.deep.equal([draft.id]);
    expect((await world.api.product.batchGetProducts({ ids: [draft.id] }, admin)).products).to.have.length(1);

    const { product: published } = await world.api.product.publishProduct({ productId: draft.id }, admin);
    expect(published!.status).to.equal(ProductStatus.PRODUCT_STATUS_ACTIVE);
    expect((await get(draft.id)).product!.status).to.equal(ProductStatus.PRODUCT_STATUS_ACTIVE);
    const again = await world.api.product.publishProduct({ productId: draft.id }, admin);
    expect(again.product).to.deep.equal(published);
  });

  it('hides a product from shoppers while visible is false', async () => {
    const product = await world.createProduct({ hidden: true });
    expect(product.visible).to.equal(false);
    expect((await failureOf(get(product.id))).code).to.equal(status.NOT_FOUND);
    await world.api.product.updateProduct(
      UpdateProductRequest.fromPartial({ productId: product.id, visible: true }),
      admin,
    );
    expect((await get(product.id)).product!.visible).to.equal(true);
  });

  it('archives a product: gone for shoppers, no more edits, can be republished', async () => {
    const product = await world.createProduct();
    const { product: archived } = await world.api.product.archiveProduct({ productId: product.id }, admin);
    expect(archived!.status).to.equal(ProductStatus.PRODUCT_STATUS_ARCHIVED);
    expect((await failureOf(get(product.id))).code).to.equal(status.NOT_FOUND);
    const edit = await failureOf(
      world.api.product.updateProduct(
        UpdateProductRequest.fromPartial({ productId: product.id, name: 'x' }),
        admin,
      ),
    );
    expect(edit.code).to.equal(status.FAILED_PRECONDITION);
    const { product: back } = await world.api.product.publishProduct({ productId: product.id }, admin);
    expect(back!.status).to.equal(ProductStatus.PRODUCT_STATUS_ACTIVE);
    expect(back!.publishedAt).to.deep.equal(product.publishedAt);
  });

  it('updates fields, replaces tags, images and categories, changes and adds variants', async () => {
    const product = await world.createProduct({ tags: ['old'] });
    const [variant] = product.variants;
    const newSlug = unique('renamed');
    // Shoppers' reads are cached: warm the cache so the reads below prove it was invalidated. The
    // second read is answered with the bytes encoded for the first.
    expect((await get(product.id)).product).to.deep.equal(product);
    expect((await get(product.id)).product).to.deep.equal(product);
    expect((await world.api.product.batchGetProducts({ ids: [product.id] })).products).to.deep.equal([
      product,
    ]);
    const { product: updated } = await world.api.product.updateProduct(
      UpdateProductRequest.fromPartial({
        productId: product.id,
        name: 'Renamed tee',
        slug: newSlug,
        price: { currencyCode: 'EUR', amountMinor: 1500 },
        compareAtPrice: { currencyCode: 'EUR', amountMinor: 1800 },
        tags: { values: ['new', 'Fresh'] },
        images: { images: [{ url: 'https://cdn.example.com/n.jpg', altText: '', primary: false }] },
        variants: [
          { id: variant!.id, name: 'Medium', active: true },
          {
            id: '',
            sku: unique('NEW').toUpperCase(),
            name: 'XL',
            initialStock: 7,
            attributes: { size: 'XL' },
          },
        ],
      }),
      admin,
    );
    expect(updated).to.deep.include({ name: 'Renamed tee', slug: newSlug, tags: ['fresh', 'new'] });
    expect(updated!.price).to.deep.equal({ currencyCode: 'EUR', amountMinor: 1500 });
    expect(updated!.compareAtPrice).to.deep.equal({ currencyCode: 'EUR', amountMinor: 1800 });
    expect(updated!.images).to.have.length(1);
    expect(updated!.variants.map((v) => [v.name, v.availableQuantity, v.price!.amountMinor])).to.deep.equal([
      ['Medium', 10, 1500],
      ['XL', 7, 1500],
    ]);
    expect(updated!.updatedAt!.getTime()).to.be.greaterThan(product.updatedAt!.getTime());
    expect((await bySlug(newSlug)).product).to.deep.equal(updated);
    expect((await get(product.id)).product).to.deep.equal(updated);
    expect((await world.api.product.batchGetProducts({ ids: [product.id] })).products).to.deep.equal([
      updated,
    ]);
    expect((await failureOf(bySlug(product.slug))).code).to.equal(status.NOT_FOUND);

    const { product: withdrawn } = await world.api.product.updateProduct(
      UpdateProductRequest.fromPartial({
        productId: product.id,
        clearCompareAtPrice: true,
        tags: { values: [] },
        variants: [{ id: variant!.id, active: false }],
      }),
      admin,
    );
    expect(withdrawn!.compareAtPrice).to.equal(undefined);
    expect(withdrawn!.tags).to.deep.equal([]);
    expect(withdrawn!.variants.map((v) => v.name)).to.deep.equal(['XL']);
  });

  it('answers ALREADY_EXISTS naming the taken slug or SKU, and writes nothing', async () => {
    const taken = await world.createProduct();
    const clash = (patch: Partial<CreateProductRequest>) =>
      failureOf(
        world.api.product.createProduct(
          CreateProductRequest.fromPartial({
            sku: unique('FRESH').toUpperCase(),
            name: 'x',
            slug: unique('fresh'),
            price: { currencyCode: 'EUR', amountMinor: 100 },
            ...patch,
          }),
          admin,
        ),
      );
    const slug = await clash({ slug: taken.slug });
    expect(slug.code).to.equal(status.ALREADY_EXISTS);
    expect(slug.details).to.contain(`slug ${taken.slug} is taken`);
    const sku = await clash({ sku: taken.sku });
    expect(sku.code).to.equal(status.ALREADY_EXISTS);
    expect(sku.details).to.contain(`SKU ${taken.sku} is taken`);
    const freshSlug = unique('fresh');
    const variantSku = await clash({
      slug: freshSlug,
      variants: [{ sku: taken.variants[0]!.sku, name: 'M', initialStock: 1 } as never],
    });
    expect(variantSku.code).to.equal(status.ALREADY_EXISTS);
    expect(variantSku.details).to.contain(`variant SKU ${taken.variants[0]!.sku} is taken`);
    expect((await failureOf(bySlug(freshSlug, world.adminToken))).code).to.equal(status.NOT_FOUND);

    const other = await world.createProduct();
    const update = await failureOf(
      world.api.product.updateProduct(
        UpdateProductRequest.fromPartial({ productId: other.id, slug: taken.slug }),
        admin,
      ),
    );
    expect(update.code).to.equal(status.ALREADY_EXISTS);
    expect(update.details).to.contain(`slug ${taken.slug} is taken`);
  });

  it('two creates racing for one slug: one wins, the other is ALREADY_EXISTS naming the slug', async () => {
    const slug = unique('race');
    const outcomes = await Promise.allSettled(
      [0, 1, 2].map(() =>
        world.api.product.createProduct(
          CreateProductRequest.fromPartial({
            sku: unique('RACE').toUpperCase(),
            name: 'Racer',
            slug,
            price: { currencyCode: 'EUR', amountMinor: 100 },
          }),
          admin,
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect(outcome.reason.code).to.equal(status.ALREADY_EXISTS);
        expect(outcome.reason.details).to.contain(`slug ${slug} is taken`);
      }
    }
  });

  it('refuses bad input naming the field, and a refused update changes nothing', async () => {
    const base = {
      sku: unique('OK').toUpperCase(),
      name: 'ok',
      slug: unique('ok'),
      price: { currencyCode: 'EUR', amountMinor: 100 },
    };
    const cases: [Partial<CreateProductRequest>, string][] = [
      [{ sku: '' }, 'sku'],
      [{ name: ' ' }, 'name'],
      [{ slug: 'Not A Slug' }, 'slug'],
      [{ price: undefined }, 'price'],
      [{ price: { currencyCode: 'eur', amountMinor: 1 } }, 'price.currency_code'],
      [{ price: { currencyCode: 'QQQ', amountMinor: 1 } }, 'price.currency_code'],
      [{ price: { currencyCode: 'XAU', amountMinor: 1 } }, 'price.currency_code'],
      [{ price: { currencyCode: 'EUR', amountMinor: -1 } }, 'price.amount_minor'],
      [{ compareAtPrice: { currencyCode: 'USD', amountMinor: 1 } }, 'compare_at_price.currency_code'],
      [{ images: [{ url: 'ftp://x', altText: '', primary: false }] }, 'images[0].url'],
      [{ tags: ['x'.repeat(51)] }, 'tags[0]'],
      [{ categoryIds: ['nope'] }, 'category_ids[0]'],
      [{ variants: [{ sku: 'V-1', name: '', initialStock: 0 } as never] }, 'variants[0].name'],
      [{ variants: [{ sku: 'V-1', name: 'a', initialStock: -1 } as never] }, 'variants[0].initial_stock'],
    ];
    for (const [patch, field] of cases) {
      const failure = await failureOf(
        world.api.product.createProduct(CreateProductRequest.fromPartial({ ...base, ...patch }), admin),
      );
      expect(failure.code, field).to.equal(status.INVALID_ARGUMENT);
      expect(
        failure.violations.map((v) => v.field),
        field,
      ).to.deep.equal([field]);
    }
    const unknownCategory = await failureOf(
      world.api.product.createProduct(
        CreateProductRequest.fromPartial({ ...base, categoryIds: [newId()] }),
        admin,
      ),
    );
    expect(unknownCategory.code).to.equal(status.FAILED_PRECONDITION);
    expect(unknownCategory.violations[0]!.field).to.equal('category_ids[0]');

    const product = await world.createProduct();
    const refused = await failureOf(
      world.api.product.updateProduct(
        UpdateProductRequest.fromPartial({
          productId: product.id,
          name: 'Changed',
          price: { currencyCode: 'USD', amountMinor: 1 },
        }),
        admin,
      ),
    );
    expect(refused.code).to.equal(status.INVALID_ARGUMENT);
    expect(refused.violations[0]!.field).to.equal('price.currency_code');
    const unknownVariant = await failureOf(
      world.api.product.updateProduct(
        UpdateProductRequest.fromPartial({
          productId: product.id,
          name: 'Changed',
          variants: [{ id: newId() }],
        }),
        admin,
      ),
    );
    expect(unknownVariant.code).to.equal(status.NOT_FOUND);
    expect((await get(product.id)).product!.name).to.equal(product.name);
    const missing = await failureOf(
      world.api.product.updateProduct(
        UpdateProductRequest.fromPartial({ productId: newId(), name: 'x' }),
        admin,
      ),
    );
    expect(missing.code).to.equal(status.NOT_FOUND);
  });

  it('GetProduct: no lookup is INVALID_ARGUMENT; unknown id or slug, or a malformed id, NOT_FOUND', async () => {
    const none = await failureOf(world.api.product.getProduct({ lookup: undefined }));
    expect(none.code).to.equal(status.INVALID_ARGUMENT);
    expect(none.violations.map((v) => v.field)).to.deep.equal(['lookup']);
    expect((await failureOf(get(newId()))).code).to.equal(status.NOT_FOUND);
    expect((await failureOf(get('not-a-uuid'))).code).to.equal(status.NOT_FOUND);
    expect((await failureOf(bySlug('no-such-slug'))).code).to.equal(status.NOT_FOUND);
  });

  it('only editors write the catalog', async () => {
    const product = await world.createProduct();
    const customer = await world.customer();
    const writes = [
      (token?: string) =>
        world.api.product.createProduct(
          CreateProductRequest.fromPartial({ sku: 'X', name: 'x', slug: 'x' }),
          { token },
        ),
      (token?: string) =>
        world.api.product.updateProduct(
          UpdateProductRequest.fromPartial({ productId: product.id, name: 'x' }),
          {
            token,
          },
        ),
      (token?: string) => world.api.product.publishProduct({ productId: product.id }, { token }),
      (token?: string) => world.api.product.archiveProduct({ productId: product.id }, { token }),
    ];
    for (const write of writes) {
      expect((await failureOf(write())).code).to.equal(status.UNAUTHENTICATED);
      expect((await failureOf(write(customer.token))).code).to.equal(status.PERMISSION_DENIED);
    }
    expect((await get(product.id)).product!.status).to.equal(ProductStatus.PRODUCT_STATUS_ACTIVE);
  });
});
