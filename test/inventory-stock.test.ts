import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { newId } from '../lib/ids.js';
import { failureOf } from './support/clients.js';
import { startCatalogWorld, type CatalogWorld } from './catalog-fixtures.js';

describe('inventory: GetStock, AdjustStock, Restock', function () {
  this.timeout(180_000);
  let world: CatalogWorld;
  let admin: { token: string };
  let internal: { token: string };

  before(async () => {
    world = await startCatalogWorld();
    admin = { token: world.adminToken };
    internal = { token: world.serviceToken };
  });
  after(async () => {
    await world?.stop();
  });

  const adjust = (variantId: string, delta: number, extra: Record<string, unknown> = {}) =>
    world.api.product.adjustStock(
      { variantId, location: '', delta, reason: 'stock count', idempotencyKey: newId(), ...extra },
      admin,
    );

  it('adds and removes units with a reason, per location, and sets the low-stock threshold', async () => {
    const product = await world.createProduct({ stock: 4 });
    const variantId = product.variants[0]!.id;
    expect((await adjust(variantId, 6)).level).to.deep.equal({
      location: 'default',
      quantity: 10,
      reservedQuantity: 0,
      availableQuantity: 10,
      lowStockThreshold: 5,
    });
    expect((await adjust(variantId, -3, { lowStockThreshold: 2 })).level).to.include({
      quantity: 7,
      lowStockThreshold: 2,
    });
    await adjust(variantId, 5, { location: 'warehouse b' });
    const stock = await world.api.product.getStock({ variantId }, admin);
    expect(stock.productId).to.equal(product.id);
    expect(stock.levels.map((level) => [level.location, level.quantity])).to.deep.equal([
      ['default', 7],
      ['warehouse b', 5],
    ]);
    expect(
      (await world.api.product.getProduct({ lookup: { $case: 'id', value: product.id } })).product!
        .variants[0]!.availableQuantity,
    ).to.equal(12);
  });

  it('never removes reserved units, and a refused adjustment changes nothing', async () => {
    const product = await world.createProduct({ stock: 5 });
    const variantId = product.variants[0]!.id;
    await world.api.product.reserveStock({ orderId: newId(), lines: [{ variantId, quantity: 3 }] }, internal);
    const failure = await failureOf(adjust(variantId, -3));
    expect(failure.code).to.equal(status.FAILED_PRECONDITION);
    expect(failure.details).to.contain('5 on hand, 3 reserved');
    const nowhere = await failureOf(adjust(variantId, -1, { location: 'nowhere' }));
    expect(nowhere.code).to.equal(status.FAILED_PRECONDITION);
    expect((await adjust(variantId, -2)).level).to.include({
      quantity: 3,
      reservedQuantity: 3,
      availableQuantity: 0,
    });
  });

  it('is idempotent by key: a repeat answers the first result; the key with another request is refused', async () => {
    const product = await world.createProduct({ stock: 1 });
    const variantId = product.variants[0]!.id;
    const idempotencyKey = newId();
    const [first, second] = await Promise.all([
      adjust(variantId, 4, { idempotencyKey }),
      adjust(variantId, 4, { idempotencyKey }),
    ]);
    expect(first).to.deep.equal(second);
    expect((await world.api.product.getStock({ variantId }, admin)).levels[0]!.quantity).to.equal(5);
    const reused = await failureOf(adjust(variantId, 9, { idempotencyKey }));
    expect(reused.code).to.equal(status.FAILED_PRECONDITION);
  });

  it('refuses bad adjustments naming the field, unknown variants, and callers who are not editors', async () => {
    const product = await world.createProduct({ stock: 1 });
    const variantId = product.variants[0]!.id;
    const cases: [Record<string, unknown>, string][] = [
      [{ variantId: 'x' }, 'variant_id'],
      [{ delta: 0 }, 'delta'],
      [{ reason: ' ' }, 'reason'],
      [{ idempotencyKey: '' }, 'idempotency_key'],
      [{ location: '../etc' }, 'location'],
      [{ lowStockThreshold: -1 }, 'low_stock_threshold'],
    ];
    for (const [patch, field] of cases) {
      const failure = await failureOf(adjust(variantId, 1, patch));
      expect(failure.code, field).to.equal(status.INVALID_ARGUMENT);
      expect(failure.violations.map((v) => v.field)).to.deep.equal([field]);
    }
    expect((await failureOf(adjust(newId(), 1))).code).to.equal(status.NOT_FOUND);
    const customer = await world.customer();
    const denied = await failureOf(
      world.api.product.adjustStock(
        {
          variantId,
          location: '',
          delta: 1,
          reason: 'x',
          idempotencyKey: newId(),
          lowStockThreshold: undefined,
        },
        { token: customer.token },
      ),
    );
    expect(denied.code).to.equal(status.PERMISSION_DENIED);
    expect(
      (await failureOf(world.api.product.getStock({ variantId }, { token: customer.token }))).code,
    ).to.equal(status.PERMISSION_DENIED);
    expect((await world.api.product.getStock({ variantId }, internal)).levels[0]!.quantity).to.equal(1);
    expect((await failureOf(world.api.product.getStock({ variantId: newId() }, admin))).code).to.equal(
      status.NOT_FOUND,
    );
  });

  it('restocks once per restock id, even when repeated concurrently', async () => {
    const product = await world.createProduct({ stock: 2 });
    const variantId = product.variants[0]!.id;
    const restockId = newId();
    const request = { restockId, lines: [{ variantId, quantity: 3 }], reason: 'return received' };
    const answers = await Promise.all([
      world.api.product.restock(request, internal),
      world.api.product.restock(request, internal),
      world.api.product.restock(request, internal),
    ]);
    expect(answers.filter((answer) => answer.restockedNow)).to.have.length(1);
    expect((await world.api.product.getStock({ variantId }, admin)).levels[0]!.quantity).to.equal(5);
    const other = await failureOf(
      world.api.product.restock({ ...request, lines: [{ variantId, quantity: 1 }] }, internal),
    );
    expect(other.code).to.equal(status.FAILED_PRECONDITION);
    const unknown = await failureOf(
      world.api.product.restock(
        { restockId: newId(), lines: [{ variantId: newId(), quantity: 1 }], reason: 'x' },
        internal,
      ),
    );
    expect(unknown.code).to.equal(status.NOT_FOUND);
    const noReason = await failureOf(
      world.api.product.restock({ ...request, restockId: newId(), reason: '' }, internal),
    );
    expect(noReason.violations.map((v) => v.field)).to.deep.equal(['reason']);
    expect((await world.api.product.getStock({ variantId }, admin)).levels[0]!.quantity).to.equal(5);
  });
});
