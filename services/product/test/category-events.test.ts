import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { CategoryChange, CategoryUpdated } from '../../../gen/ecommerce/product/v1/events.js';
import { AppError } from '../../../lib/errors.js';
import { CategoryUpdatedEvent } from '../../../lib/events/catalog.js';
import { decodeEnvelope } from '../../../lib/events/index.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { productDatabase } from '../src/database.js';
import { createCategory, moveCategory, setCategoryActive, updateCategory } from '../src/domain/categories.js';

/** product.category.updated: written to the outbox in the transaction of each change of the tree. */
describe('categories: product.category.updated', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;

  before(async () => {
    db = await openScratchDatabase('product_category_events', productDatabase);
  });
  after(async () => {
    await db?.drop();
  });

  /** The events written since `after` (an event count), oldest first, as category id and change. */
  async function eventsSince(
    after: number,
  ): Promise<{ id: string; change: CategoryChange; level: number }[]> {
    const rows = await db.orm.em
      .fork()
      .execute<{ envelope: Uint8Array }[]>(
        'SELECT envelope FROM infra.outbox WHERE subject = ? ORDER BY created_at, id',
        [CategoryUpdatedEvent.subject],
      );
    return rows.slice(after).map((row) => {
      const event = CategoryUpdated.decode(decodeEnvelope(new Uint8Array(row.envelope)).payload);
      return { id: event.category!.id, change: event.change, level: event.category!.level };
    });
  }
  const count = async () => (await eventsSince(0)).length;

  const category = (name: string, parentId = '') =>
    createCategory(db.orm.em.fork(), {
      name,
      slug: `${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`,
      description: '',
      parentId,
      imageUrl: '',
    });

  it('is published by every change, carrying the category as it is after it and what was done', async () => {
    const start = await count();
    const root = await category('Root');
    const other = await category('Other');
    const child = await category('Child', root.id);
    await updateCategory(db.orm.em.fork(), { categoryId: child.id, name: 'Renamed child' });
    await moveCategory(db.orm.em.fork(), { categoryId: other.id, parentId: '', position: 0 }); // reorder
    await moveCategory(db.orm.em.fork(), { categoryId: child.id, parentId: other.id, position: 0 });
    await setCategoryActive(db.orm.em.fork(), { categoryId: other.id, active: false });
    await setCategoryActive(db.orm.em.fork(), { categoryId: other.id, active: true });
    expect(await eventsSince(start)).to.deep.equal([
      { id: root.id, change: CategoryChange.CATEGORY_CHANGE_CREATED, level: 0 },
      { id: other.id, change: CategoryChange.CATEGORY_CHANGE_CREATED, level: 0 },
      { id: child.id, change: CategoryChange.CATEGORY_CHANGE_CREATED, level: 1 },
      { id: child.id, change: CategoryChange.CATEGORY_CHANGE_EDITED, level: 1 },
      { id: other.id, change: CategoryChange.CATEGORY_CHANGE_MOVED, level: 0 },
      { id: child.id, change: CategoryChange.CATEGORY_CHANGE_MOVED, level: 1 },
      { id: other.id, change: CategoryChange.CATEGORY_CHANGE_DEACTIVATED, level: 0 },
      { id: other.id, change: CategoryChange.CATEGORY_CHANGE_ACTIVATED, level: 0 },
    ]);
  });

  it('is not published by a refused change, nor by one that changes nothing', async () => {
    const root = await category('Parent');
    const child = await category('Kid', root.id);
    const start = await count();

    const cycle = await moveCategory(db.orm.em.fork(), {
      categoryId: root.id,
      parentId: child.id,
      position: 0,
    }).catch((error: unknown) => error);
    expect(cycle).to.be.instanceOf(AppError);
    expect((cycle as AppError).code).to.equal(status.FAILED_PRECONDITION);
    const badPosition = await moveCategory(db.orm.em.fork(), {
      categoryId: child.id,
      parentId: root.id,
      position: -1,
    }).catch((error: unknown) => error);
    expect((badPosition as AppError).code).to.equal(status.INVALID_ARGUMENT);

    await moveCategory(db.orm.em.fork(), { categoryId: child.id, parentId: root.id, position: 0 }); // where it is
    await setCategoryActive(db.orm.em.fork(), { categoryId: child.id, active: true }); // already active
    await updateCategory(db.orm.em.fork(), { categoryId: child.id }); // no field
    expect(await eventsSince(start)).to.deep.equal([]);
  });
});
