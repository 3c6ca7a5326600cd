import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { CreateProductRequest, ProductStatus } from '../../../gen/ecommerce/product/v1/product.js';
import { newId } from '../../../lib/ids.js';
import { failureOf } from '../../../lib/testing/app-error.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { productDatabase } from '../src/database.js';
import { createProduct } from '../src/domain/create-product.js';
import { changeProductStatus, productStatuses } from '../src/domain/product-status.js';

const {
  PRODUCT_STATUS_DRAFT: DRAFT,
  PRODUCT_STATUS_ACTIVE: ACTIVE,
  PRODUCT_STATUS_ARCHIVED: ARCHIVED,
} = ProductStatus;

/** Publish and archive through the product's state machine (lib/state-machine.ts). */
describe('product status: publish and archive', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openScratchDatabase('product_status', productDatabase);
  });
  after(async () => {
    await db?.drop();
  });

  const outboxRows = async () =>
    (await db.orm.em.fork().execute<{ n: number }[]>('SELECT count(*)::int AS n FROM infra.outbox'))[0]!.n;

  async function change(productId: string, target: 'active' | 'archived') {
    const before = await outboxRows();
    const { view, changed } = await changeProductStatus(
      db.orm.em.fork(),
      { productId, changedBy: newId() },
      target,
    );
    return { status: view.status, changed, announced: (await outboxRows()) > before };
  }

  it('moves a draft to active, archives it, publishes it again; a repeat changes nothing and announces nothing', async () => {
    const sku = `ST-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
    const draft = await createProduct(
      db.orm.em.fork(),
      CreateProductRequest.fromPartial({
        sku,
        name: 'Statused',
        draft: true,
        slug: sku.toLowerCase(),
        price: { currencyCode: 'EUR', amountMinor: 100 },
        variants: [{ sku: `${sku}-0`, name: 'V0', initialStock: 1 }],
      }),
      5,
    );
    expect(draft.status).to.equal(DRAFT);

    expect(await change(draft.id, 'active')).to.deep.equal({
      status: ACTIVE,
      changed: true,
      announced: true,
    });
    expect(await change(draft.id, 'active')).to.deep.equal({
      status: ACTIVE,
      changed: false,
      announced: false,
    });
    expect(await change(draft.id, 'archived')).to.deep.equal({
      status: ARCHIVED,
      changed: true,
      announced: true,
    });
    expect(await change(draft.id, 'archived')).to.deep.equal({
      status: ARCHIVED,
      changed: false,
      announced: false,
    });
    expect(await change(draft.id, 'active')).to.deep.equal({
      status: ACTIVE,
      changed: true,
      announced: true,
    });
  });

  it('answers NOT_FOUND for an unknown product', async () => {
    const error = await failureOf(
      changeProductStatus(db.orm.em.fork(), { productId: newId(), changedBy: 'x' }, 'archived'),
    );
    expect(error.code).to.equal(status.NOT_FOUND);
  });

  it('keeps its one table in the state machine: an active product never goes back to draft', () => {
    expect(productStatuses.allows('draft', 'active')).to.equal(true);
    expect(productStatuses.allows('archived', 'active')).to.equal(true);
    expect(productStatuses.allows('active', 'draft')).to.equal(false);
    expect(() => productStatuses.assertAllowed('p-1', 'archived', 'draft')).to.throw(
      'product p-1 is archived and cannot become draft',
    );
  });
});
