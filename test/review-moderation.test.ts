import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { ListProductsRequest, ProductSort, ReviewModeration } from '../gen/ecommerce/product/v1/product.js';
import { newId } from '../lib/ids.js';
import { failureOf } from './support/clients.js';
import { startCatalogWorld, type CatalogWorld } from './catalog-fixtures.js';
import { unique } from './support/unique.js';

const { REVIEW_MODERATION_APPROVED: APPROVED, REVIEW_MODERATION_REJECTED: REJECTED } = ReviewModeration;

describe('reviews: CreateReview, ModerateReview, ListReviews', function () {
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

  const write = (token: string, productId: string, rating: number, title = 'Nice') =>
    world.api.product.createReview({ productId, rating, title, comment: 'Fits well' }, { token });
  const moderate = (reviewId: string, decision: ReviewModeration) =>
    world.api.product.moderateReview({ reviewId, decision }, admin);
  const rated = async (productId: string) =>
    (await world.api.product.getProduct({ lookup: { $case: 'id', value: productId } })).product!.rating;

  it('a customer reviews a product once (ALREADY_EXISTS the second time, even racing), pending moderation', async () => {
    const product = await world.createProduct();
    const customer = await world.customer();
    const { review } = await write(customer.token, product.id, 5);
    expect(review).to.deep.include({
      productId: product.id,
      userId: customer.userId,
      rating: 5,
      title: 'Nice',
      verifiedPurchase: false,
      moderation: ReviewModeration.REVIEW_MODERATION_PENDING,
    });
    const again = await failureOf(write(customer.token, product.id, 1));
    expect(again.code).to.equal(status.ALREADY_EXISTS);

    const racer = await world.customer();
    const outcomes = await Promise.allSettled([
      write(racer.token, product.id, 3),
      write(racer.token, product.id, 4),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
    const lost = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
    expect(lost.reason.code).to.equal(status.ALREADY_EXISTS);
  });

  it('the rating follows approved reviews only, through approvals and rejections', async () => {
    const product = await world.createProduct();
    const reviews = [];
    for (const rating of [5, 4, 1]) {
      const customer = await world.customer();
      reviews.push((await write(customer.token, product.id, rating)).review!);
    }
    expect(await rated(product.id)).to.deep.equal({ average: 0, count: 0 });
    const first = await moderate(reviews[0]!.id, APPROVED);
    expect(first.rating).to.deep.equal({ average: 5, count: 1 });
    await moderate(reviews[1]!.id, APPROVED);
    const third = await moderate(reviews[2]!.id, REJECTED);
    expect(third.review!.moderation).to.equal(REJECTED);
    expect(await rated(product.id)).to.deep.equal({ average: 4.5, count: 2 });
    await moderate(reviews[0]!.id, REJECTED);
    expect(await rated(product.id)).to.deep.equal({ average: 4, count: 1 });
    await Promise.all([moderate(reviews[0]!.id, APPROVED), moderate(reviews[2]!.id, APPROVED)]);
    expect(await rated(product.id)).to.deep.equal({ average: 3.33, count: 3 });
  });

  it('lists approved reviews newest first for everyone, and other states for editors only', async () => {
    const product = await world.createProduct();
    const ids = [];
    for (let k = 0; k < 3; k++) {
      const customer = await world.customer();
      const { review } = await write(customer.token, product.id, 3 + k);
      ids.push(review!.id);
      if (k < 2) await moderate(review!.id, APPROVED);
    }
    const page1 = await world.api.product.listReviews({
      productId: product.id,
      page: { pageSize: 1, pageToken: '' },
      moderation: 0,
    });
    expect(page1.reviews.map((r) => r.id)).to.deep.equal([ids[1]]);
    const page2 = await world.api.product.listReviews({
      productId: product.id,
      page: { pageSize: 1, pageToken: page1.page!.nextPageToken },
      moderation: 0,
    });
    expect(page2.reviews.map((r) => r.id)).to.deep.equal([ids[0]]);
    expect(page2.page!.nextPageToken).to.equal('');
    const pending = await world.api.product.listReviews(
      { productId: product.id, page: undefined, moderation: ReviewModeration.REVIEW_MODERATION_PENDING },
      admin,
    );
    expect(pending.reviews.map((r) => r.id)).to.deep.equal([ids[2]]);
    const denied = await failureOf(
      world.api.product.listReviews({
        productId: product.id,
        page: undefined,
        moderation: ReviewModeration.REVIEW_MODERATION_PENDING,
      }),
    );
    expect(denied.code).to.equal(status.PERMISSION_DENIED);
    const wrongToken = await failureOf(
      world.api.product.listReviews({
        productId: newId(),
        page: { pageSize: 1, pageToken: page1.page!.nextPageToken },
        moderation: 0,
      }),
    );
    expect(wrongToken.code).to.equal(status.INVALID_ARGUMENT);
    // The right listing and shape, but a sort key that is no real date: refused before SQL.
    const parts = JSON.parse(
      Buffer.from(page1.page!.nextPageToken, 'base64url').toString('utf8'),
    ) as unknown[];
    parts[2] = '2024-13-45 12:00:00+00';
    const impossibleDate = await failureOf(
      world.api.product.listReviews({
        productId: product.id,
        page: { pageSize: 1, pageToken: Buffer.from(JSON.stringify(parts)).toString('base64url') },
        moderation: 0,
      }),
    );
    expect(impossibleDate.code).to.equal(status.INVALID_ARGUMENT);
    expect(impossibleDate.violations.map((v) => v.field)).to.deep.equal(['page.page_token']);
  });

  it('sorts listings by rating', async () => {
    const tag = unique('rated');
    const low = await world.createProduct({ tags: [tag] });
    const high = await world.createProduct({ tags: [tag] });
    for (const [product, rating] of [
      [low, 2],
      [high, 5],
    ] as const) {
      const customer = await world.customer();
      await moderate((await write(customer.token, product.id, rating)).review!.id, APPROVED);
    }
    const { products } = await world.api.product.listProducts(
      ListProductsRequest.fromPartial({ tag, sort: ProductSort.PRODUCT_SORT_RATING }),
    );
    expect(products.map((p) => p.id)).to.deep.equal([high.id, low.id]);
  });

  it('refuses bad reviews naming the field, unpublished or unknown products, and anonymous writers', async () => {
    const product = await world.createProduct();
    const draft = await world.createProduct({ draft: true });
    const customer = await world.customer();
    for (const [rating, title, field] of [
      [0, '', 'rating'],
      [6, '', 'rating'],
      [3, 'x'.repeat(201), 'title'],
    ] as const) {
      const failure = await failureOf(write(customer.token, product.id, rating, title));
      expect(failure.code, field).to.equal(status.INVALID_ARGUMENT);
      expect(failure.violations.map((v) => v.field)).to.deep.equal([field]);
    }
    expect((await failureOf(write(customer.token, draft.id, 3))).code).to.equal(status.NOT_FOUND);
    expect((await failureOf(write(customer.token, newId(), 3))).code).to.equal(status.NOT_FOUND);
    const anonymous = await failureOf(
      world.api.product.createReview({ productId: product.id, rating: 3, title: '', comment: '' }),
    );
    expect(anonymous.code).to.equal(status.UNAUTHENTICATED);
    const { review } = await write(customer.token, product.id, 3);
    const notEditor = await failureOf(
      world.api.product.moderateReview(
        { reviewId: review!.id, decision: APPROVED },
        { token: customer.token },
      ),
    );
    expect(notEditor.code).to.equal(status.PERMISSION_DENIED);
    const noDecision = await failureOf(moderate(review!.id, ReviewModeration.REVIEW_MODERATION_PENDING));
    expect(noDecision.violations.map((v) => v.field)).to.deep.equal(['decision']);
    expect((await failureOf(moderate(newId(), APPROVED))).code).to.equal(status.NOT_FOUND);
  });
});
