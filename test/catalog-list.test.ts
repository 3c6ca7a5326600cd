import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  ListProductsRequest,
  ProductSort,
  ProductStatus,
  type Product,
} from '../gen/ecommerce/product/v1/product.js';
import { failureOf } from './support/clients.js';
import { startCatalogWorld, type CatalogWorld } from './catalog-fixtures.js';
import { unique } from './support/unique.js';

/** The page token with its sort key replaced (a token is only base64 JSON). */
function withEditedKey(token: string, key = 'not-a-time'): string {
  const parts = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
  parts[2] = key;
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

describe('catalog: ListProducts', function () {
  this.timeout(180_000);
  let world: CatalogWorld;

  before(async () => {
    world = await startCatalogWorld();
  });
  after(async () => {
    await world?.stop();
  });

  const list = (request: Partial<ListProductsRequest>, token?: string) =>
    world.api.product.listProducts(ListProductsRequest.fromPartial(request), { token });

  /** Every page of a listing, following the tokens. */
  async function allPages(request: Partial<ListProductsRequest>, pageSize: number): Promise<Product[][]> {
    const pages: Product[][] = [];
    let pageToken = '';
    do {
      const { products, page } = await list({ ...request, page: { pageSize, pageToken } });
      pages.push(products);
      pageToken = page!.nextPageToken;
    } while (pageToken !== '');
    return pages;
  }

  it('filters by category including its active subcategories', async () => {
    const admin = { token: world.adminToken };
    const category = async (parentId: string) =>
      (
        await world.api.product.createCategory(
          { name: 'c', slug: unique('c'), description: '', parentId, imageUrl: '' },
          admin,
        )
      ).category!;
    const root = await category('');
    const child = await category(root.id);
    const hidden = await category(root.id);
    const inRoot = await world.createProduct({ categoryIds: [root.id] });
    const inChild = await world.createProduct({ categoryIds: [child.id] });
    const inHidden = await world.createProduct({ categoryIds: [hidden.id] });
    await world.createProduct();
    await world.api.product.setCategoryActive({ categoryId: hidden.id, active: false }, admin);

    const { products } = await list({ categoryId: root.id });
    expect(products.map((p) => p.id)).to.have.members([inRoot.id, inChild.id]);
    expect((await list({ categoryId: child.id })).products.map((p) => p.id)).to.deep.equal([inChild.id]);
    expect(inHidden.categoryIds).to.deep.equal([hidden.id]);
  });

  it('filters by tag and price range, sorts by price both ways, and pages with stable tie-breaks', async () => {
    const tag = unique('tag');
    const prices = [500, 300, 300, 900, 100, 300];
    const made = [];
    for (const amountMinor of prices) {
      made.push(await world.createProduct({ tags: [tag], price: { currencyCode: 'EUR', amountMinor } }));
    }
    const ascending = (await allPages({ tag, sort: ProductSort.PRODUCT_SORT_PRICE_ASC }, 2)).flat();
    expect(ascending.map((p) => p.price!.amountMinor)).to.deep.equal([100, 300, 300, 300, 500, 900]);
    expect(new Set(ascending.map((p) => p.id)).size).to.equal(6);
    const descending = await allPages({ tag, sort: ProductSort.PRODUCT_SORT_PRICE_DESC }, 4);
    expect(descending.map((page) => page.length)).to.deep.equal([4, 2]);
    expect(descending.flat().map((p) => p.id)).to.deep.equal(ascending.map((p) => p.id).reverse());

    const ranged = await list({
      tag,
      minPrice: { currencyCode: 'EUR', amountMinor: 300 },
      maxPrice: { currencyCode: 'EUR', amountMinor: 500 },
      sort: ProductSort.PRODUCT_SORT_PRICE_ASC,
    });
    expect(ranged.products.map((p) => p.price!.amountMinor)).to.deep.equal([300, 300, 300, 500]);
    const otherCurrency = await list({ tag, minPrice: { currencyCode: 'USD', amountMinor: 0 } });
    expect(otherCurrency.products).to.deep.equal([]);

    const newest = (await allPages({ tag }, 5)).flat();
    expect(newest.map((p) => p.id)).to.deep.equal(made.map((p) => p.id).reverse());
  });

  it('keeps only products with stock available when asked', async () => {
    const tag = unique('stock');
    const stocked = await world.createProduct({ tags: [tag], stock: 2 });
    await world.createProduct({ tags: [tag], stock: 0 });
    expect((await list({ tag })).products).to.have.length(2);
    expect((await list({ tag, inStock: true })).products.map((p) => p.id)).to.deep.equal([stocked.id]);
  });

  it('searches name and description in full text (stemmed), combined with the other filters', async () => {
    const word = `zq${Math.random().toString(36).slice(2, 8)}`;
    const named = await world.createProduct({ name: `Trail ${word} jacket` });
    const described = await world.createProduct({ description: `Made for running in the ${word} hills` });
    await world.createProduct({ description: 'Nothing to see' });
    const found = await list({ query: word });
    expect(found.products.map((p) => p.id)).to.have.members([named.id, described.id]);
    expect((await list({ query: `${word} runs` })).products.map((p) => p.id)).to.deep.equal([described.id]);
    expect((await list({ query: `${word} -jacket` })).products.map((p) => p.id)).to.deep.equal([
      described.id,
    ]);
  });

  it('lists unpublished products by status for editors only', async () => {
    const draft = await world.createProduct({ draft: true, tags: [unique('d')] });
    const drafts = await list(
      { tag: draft.tags[0], status: ProductStatus.PRODUCT_STATUS_DRAFT },
      world.adminToken,
    );
    expect(drafts.products.map((p) => p.id)).to.deep.equal([draft.id]);
    expect((await list({ tag: draft.tags[0] })).products).to.deep.equal([]);
    const denied = await failureOf(list({ status: ProductStatus.PRODUCT_STATUS_DRAFT }));
    expect(denied.code).to.equal(status.PERMISSION_DENIED);
  });

  it('refuses a token of another listing, a forged token and bad filters, naming the field', async () => {
    const tag = unique('tok');
    await world.createProduct({ tags: [tag] });
    await world.createProduct({ tags: [tag] });
    const { page } = await list({ tag, page: { pageSize: 1, pageToken: '' } });
    expect(page!.nextPageToken).to.not.equal('');
    const cases: [Partial<ListProductsRequest>, string][] = [
      [
        {
          tag,
          sort: ProductSort.PRODUCT_SORT_PRICE_ASC,
          page: { pageSize: 1, pageToken: page!.nextPageToken },
        },
        'page.page_token',
      ],
      [{ tag: 'other', page: { pageSize: 1, pageToken: page!.nextPageToken } }, 'page.page_token'],
      [{ tag, page: { pageSize: 1, pageToken: 'bm90LWEtdG9rZW4' } }, 'page.page_token'],
      // A real token with its sort key edited (a token is only base64 JSON): refused, not INTERNAL.
      [{ tag, page: { pageSize: 1, pageToken: withEditedKey(page!.nextPageToken) } }, 'page.page_token'],
      // Of the right shape but no real date (month 13, day 45): refused before SQL, not INTERNAL.
      [
        {
          tag,
          page: { pageSize: 1, pageToken: withEditedKey(page!.nextPageToken, '2024-13-45 12:00:00+00') },
        },
        'page.page_token',
      ],
      [{ tag, page: { pageSize: -1, pageToken: '' } }, 'page.page_size'],
      [{ categoryId: 'nope' }, 'category_id'],
      [{ query: 'x'.repeat(201) }, 'query'],
      [
        {
          minPrice: { currencyCode: 'EUR', amountMinor: 5 },
          maxPrice: { currencyCode: 'EUR', amountMinor: 4 },
        },
        'max_price.amount_minor',
      ],
      [
        {
          minPrice: { currencyCode: 'EUR', amountMinor: 5 },
          maxPrice: { currencyCode: 'USD', amountMinor: 9 },
        },
        'max_price.currency_code',
      ],
    ];
    for (const [request, field] of cases) {
      const failure = await failureOf(list(request));
      expect(failure.code, field).to.equal(status.INVALID_ARGUMENT);
      expect(
        failure.violations.map((v) => v.field),
        field,
      ).to.deep.equal([field]);
    }
  });
});
