import { ListProductsRequest } from '../gen/ecommerce/product/v1/product.js';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { newId } from '../lib/ids.js';
import { failureOf } from './support/clients.js';
import { startCatalogWorld, type CatalogWorld } from './catalog-fixtures.js';
import { unique } from './support/unique.js';

describe('catalog: category tree', function () {
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

  async function create(name: string, parentId = '') {
    const { category } = await world.api.product.createCategory(
      { name, slug: unique(name.toLowerCase()), description: '', parentId, imageUrl: '' },
      admin,
    );
    return category!;
  }

  /** The subtree under `root` as "name@level" in depth-first order, as the given caller lists it. */
  async function tree(root: string, token?: string): Promise<string[]> {
    const { categories } = await world.api.product.listCategories({}, { token });
    const inside = new Set([root]);
    const names: string[] = [];
    for (const category of categories) {
      if (inside.has(category.parentId)) {
        inside.add(category.id);
        names.push(`${category.name}@${category.level}`);
      }
    }
    return names;
  }

  it('builds a tree, lists it depth first with levels, and reorders siblings', async () => {
    const root = await create('Root');
    const a = await create('A', root.id);
    const b = await create('B', root.id);
    await create('A1', a.id);
    expect(a.level).to.equal(1);
    expect([a.sortOrder, b.sortOrder]).to.deep.equal([0, 1]);
    expect(await tree(root.id, world.adminToken)).to.deep.equal(['A@1', 'A1@2', 'B@1']);

    const { category: moved } = await world.api.product.moveCategory(
      { categoryId: b.id, parentId: root.id, position: 0 },
      admin,
    );
    expect(moved!.sortOrder).to.equal(0);
    expect(await tree(root.id, world.adminToken)).to.deep.equal(['B@1', 'A@1', 'A1@2']);
  });

  it('moves a subtree under another parent (levels follow) and refuses a move into its own subtree', async () => {
    const root = await create('Root');
    const a = await create('A', root.id);
    const a1 = await create('A1', a.id);
    const b = await create('B', root.id);
    await world.api.product.moveCategory({ categoryId: a.id, parentId: b.id, position: 5 }, admin);
    expect(await tree(root.id, world.adminToken)).to.deep.equal(['B@1', 'A@2', 'A1@3']);

    const cycle = await failureOf(
      world.api.product.moveCategory({ categoryId: a.id, parentId: a1.id, position: 0 }, admin),
    );
    expect(cycle.code).to.equal(status.FAILED_PRECONDITION);
    expect(cycle.details).to.contain('cycle');
    const self = await failureOf(
      world.api.product.moveCategory({ categoryId: a.id, parentId: a.id, position: 0 }, admin),
    );
    expect(self.code).to.equal(status.FAILED_PRECONDITION);
    expect(await tree(root.id, world.adminToken)).to.deep.equal(['B@1', 'A@2', 'A1@3']);

    const { category: top } = await world.api.product.moveCategory(
      { categoryId: a.id, parentId: '', position: 0 },
      admin,
    );
    expect(top).to.deep.include({ parentId: '', level: 0 });
  });

  it('a subtree moved under a hidden parent is hidden with it, products included', async () => {
    const root = await create('Root');
    const hidden = await create('Hidden', root.id);
    const shown = await create('Shown');
    const child = await create('Child', shown.id);
    const product = await world.createProduct({ categoryIds: [child.id] });
    await world.api.product.setCategoryActive({ categoryId: hidden.id, active: false }, admin);
    await world.api.product.moveCategory({ categoryId: shown.id, parentId: hidden.id, position: 0 }, admin);
    const { categories } = await world.api.product.listCategories({}, admin);
    expect(categories.filter((c) => [shown.id, child.id].includes(c.id)).map((c) => c.active)).to.deep.equal([
      false,
      false,
    ]);
    // A shopper browsing the (active) root does not find it through the hidden branch.
    const listed = await world.api.product.listProducts(
      ListProductsRequest.fromPartial({ categoryId: root.id }),
    );
    expect(listed.products.map((p) => p.id)).to.not.include(product.id);
  });

  it('deactivates a subtree (hidden from shoppers, shown to editors) and reactivates it', async () => {
    const root = await create('Root');
    const a = await create('A', root.id);
    await create('A1', a.id);
    await world.api.product.setCategoryActive({ categoryId: a.id, active: false }, admin);
    expect(await tree(root.id)).to.deep.equal([]);
    expect(await tree(root.id, world.adminToken)).to.deep.equal(['A@1', 'A1@2']);
    const { categories } = await world.api.product.listCategories({}, admin);
    expect(categories.filter((c) => c.parentId === a.id).map((c) => c.active)).to.deep.equal([false]);

    await world.api.product.setCategoryActive({ categoryId: root.id, active: false }, admin);
    const underHidden = await failureOf(
      world.api.product.setCategoryActive({ categoryId: a.id, active: true }, admin),
    );
    expect(underHidden.code).to.equal(status.FAILED_PRECONDITION);
    await world.api.product.setCategoryActive({ categoryId: root.id, active: true }, admin);
    expect(await tree(root.id)).to.deep.equal(['A@1', 'A1@2']);
  });

  it('renames a category, and answers ALREADY_EXISTS for a taken slug, NOT_FOUND for unknown ids', async () => {
    const first = await create('First');
    const second = await create('Second');
    const { category } = await world.api.product.updateCategory(
      { categoryId: first.id, name: 'Renamed' },
      admin,
    );
    expect(category!.name).to.equal('Renamed');
    const clash = await failureOf(
      world.api.product.updateCategory({ categoryId: second.id, slug: first.slug }, admin),
    );
    expect(clash.code).to.equal(status.ALREADY_EXISTS);
    expect(clash.details).to.contain(`slug ${first.slug} is taken`);
    const again = await failureOf(
      world.api.product.createCategory(
        { name: 'x', slug: first.slug, description: '', parentId: '', imageUrl: '' },
        admin,
      ),
    );
    expect(again.code).to.equal(status.ALREADY_EXISTS);
    const noParent = await failureOf(
      world.api.product.createCategory(
        { name: 'x', slug: unique('x'), description: '', parentId: newId(), imageUrl: '' },
        admin,
      ),
    );
    expect(noParent.code).to.equal(status.NOT_FOUND);
    expect(
      (await failureOf(world.api.product.updateCategory({ categoryId: newId(), name: 'y' }, admin))).code,
    ).to.equal(status.NOT_FOUND);
    const bad = await failureOf(
      world.api.product.createCategory(
        { name: '', slug: 'ok', description: '', parentId: '', imageUrl: '' },
        admin,
      ),
    );
    expect(bad.violations.map((v) => v.field)).to.deep.equal(['name']);
    const badMove = await failureOf(
      world.api.product.moveCategory({ categoryId: first.id, parentId: '', position: -1 }, admin),
    );
    expect(badMove.violations.map((v) => v.field)).to.deep.equal(['position']);
    const customer = await world.customer();
    const denied = await failureOf(
      world.api.product.createCategory(
        { name: 'x', slug: unique('x'), description: '', parentId: '', imageUrl: '' },
        { token: customer.token },
      ),
    );
    expect(denied.code).to.equal(status.PERMISSION_DENIED);
  });
});
