import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '../../../../lib/ids.js';

/**
 * A node of the category tree. `parentId` is this table (deferred foreign key, so a parent and its
 * children can be inserted in one flush in any order); a category with children cannot be deleted.
 * `level` is 0 for a root and the parent's + 1 below; `path` is the materialised path of ids from
 * the root, `/<root id>/…/<own id>/`, so a subtree is `path LIKE '/…/<id>/%'` (indexed).
 */
export const Category = defineEntity({
  name: 'Category',
  tableName: 'categories',
  // Fills the id in em.create (onCreate alone would only run at flush).
  hooks: { onInit: [({ entity }) => void (entity.id ??= newId())] },
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    name: p.text(),
    slug: p.text(),
    description: p.text().nullable(),
    parentId: p.uuid().nullable(),
    level: p.integer().default(0),
    sortOrder: p.integer().default(0),
    imageUrl: p.text().nullable(),
    isActive: p.boolean().default(true),
    path: p.text(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Category = InferEntity<typeof Category>;
