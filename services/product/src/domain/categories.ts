import { optionalText, requireText, requireUuid } from '../../../../lib/validation/index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CategoryChange } from '../../../../gen/ecommerce/product/v1/events.js';
import type { Category as CategoryMessage } from '../../../../gen/ecommerce/product/v1/product.js';
import { CategoryUpdatedEvent } from '../../../../lib/events/catalog.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../../../../lib/errors.js';
import { newId } from '../../../../lib/ids.js';
import { optionalUrl, requireSlug } from './validation.js';

interface CategoryRow {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  parent_id: string | null;
  level: number;
  sort_order: number;
  image_url: string | null;
  is_active: boolean;
  path: string;
}

const COLUMNS = 'id, name, slug, description, parent_id, level, sort_order, image_url, is_active, path';

export function categoryOf(row: CategoryRow): CategoryMessage {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description ?? '',
    parentId: row.parent_id ?? '',
    level: row.level,
    sortOrder: row.sort_order,
    imageUrl: row.image_url ?? '',
    active: row.is_active,
  };
}

async function lockCategory(em: EntityManager, id: string, what = 'category'): Promise<CategoryRow> {
  const [row] = await em.execute<CategoryRow[]>(`SELECT ${COLUMNS} FROM categories WHERE id = ? FOR UPDATE`, [
    id,
  ]);
  if (!row) throw notFound(what, id);
  return row;
}

async function refuseTakenSlug(em: EntityManager, slug: string, self: string | null): Promise<void> {
  const [taken] = await em.execute<{ id: string }[]>(
    'SELECT id FROM categories WHERE slug = ? AND id IS DISTINCT FROM ?',
    [slug, self],
  );
  if (taken) throw alreadyExists('category', `slug ${slug} is taken`);
}

/** The parent a request names (locked), or null for the root level. */
async function parentOf(em: EntityManager, parentId: string): Promise<CategoryRow | null> {
  if (parentId.trim() === '') return null;
  return lockCategory(em, requireUuid('parent_id', parentId), 'parent category');
}

/**
 * Renumbers the siblings under `parentId` 0..n-1, with `placed` at `position` (or last); whether
 * any of them changed place.
 */
async function placeAmongSiblings(
  em: EntityManager,
  parentId: string | null,
  placed: string,
  position: number | null,
): Promise<boolean> {
  const siblings = await em.execute<{ id: string }[]>(
    `SELECT id FROM categories WHERE parent_id IS NOT DISTINCT FROM ? AND id <> ? ORDER BY sort_order, name, id FOR UPDATE`,
    [parentId, placed],
  );
  const order = siblings.map((row) => row.id);
  order.splice(position === null ? order.length : Math.min(position, order.length), 0, placed);
  const renumbered = await em.execute<{ id: string }[]>(
    `UPDATE categories c SET sort_order = o.n - 1, updated_at = now()
       FROM unnest(?::uuid[]) WITH ORDINALITY AS o(id, n)
      WHERE c.id = o.id AND c.sort_order <> o.n - 1
      RETURNING c.id`,
    [`{${order.join(',')}}`],
  );
  return renumbered.length > 0;
}

async function reread(em: EntityManager, id: string): Promise<CategoryMessage> {
  const [row] = await em.execute<CategoryRow[]>(`SELECT ${COLUMNS} FROM categories WHERE id = ?`, [id]);
  return categoryOf(row!);
}

/**
 * Reads the category as the change left it and writes product.category.updated to the outbox, in
 * the change's transaction: every replica's cached listings go (see cache/cache-invalidation.ts).
 */
async function announceCategory(
  em: EntityManager,
  id: string,
  change: CategoryChange,
): Promise<CategoryMessage> {
  const category = await reread(em, id);
  await publishEvent(em, 'product', CategoryUpdatedEvent, { category, change });
  return category;
}

export async function createCategory(
  em: EntityManager,
  input: { name: string; slug: string; description: string; parentId: string; imageUrl: string },
): Promise<CategoryMessage> {
  const name = requireText('name', input.name, 200);
  const slug = requireSlug(input.slug, 'slug');
  const description = optionalText('description', input.description, 2000);
  const imageUrl = optionalUrl(input.imageUrl, 'image_url');
  return em.transactional(async (tx) => {
    const parent = await parentOf(tx, input.parentId);
    await refuseTakenSlug(tx, slug, null);
    const id = newId();
    await tx.execute(
      `INSERT INTO categories (id, name, slug, description, parent_id, level, sort_order, image_url, is_active, path)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
      [
        id,
        name,
        slug,
        description,
        parent?.id ?? null,
        parent ? parent.level + 1 : 0,
        imageUrl,
        parent ? parent.is_active : true,
        `${parent?.path ?? '/'}${id}/`,
      ],
      'run',
    );
    await placeAmongSiblings(tx, parent?.id ?? null, id, null);
    return announceCategory(tx, id, CategoryChange.CATEGORY_CHANGE_CREATED);
  });
}

export async function updateCategory(
  em: EntityManager,
  input: { categoryId: string; name?: string; slug?: string; description?: string; imageUrl?: string },
): Promise<CategoryMessage> {
  const id = requireUuid('category_id', input.categoryId);
  const set: Array<[string, unknown]> = [];
  if (input.name !== undefined) set.push(['name', requireText('name', input.name, 200)]);
  const slug = input.slug === undefined ? undefined : requireSlug(input.slug, 'slug');
  if (slug !== undefined) set.push(['slug', slug]);
  if (input.description !== undefined)
    set.push(['description', optionalText('description', input.description, 2000)]);
  if (input.imageUrl !== undefined) set.push(['image_url', optionalUrl(input.imageUrl, 'image_url')]);
  return em.transactional(async (tx) => {
    await lockCategory(tx, id);
    if (slug !== undefined) await refuseTakenSlug(tx, slug, id);
    if (set.length === 0) return reread(tx, id);
    await tx.execute(
      `UPDATE categories SET ${set.map(([column]) => `${column} = ?`).join(', ')}, updated_at = now() WHERE id = ?`,
      [...set.map(([, value]) => value), id],
      'run',
    );
    return announceCategory(tx, id, CategoryChange.CATEGORY_CHANGE_EDITED);
  });
}

/**
 * Moves a category and its subtree under another parent (or to the root) and to a position among
 * its new siblings. A category cannot move into its own subtree (that would make a cycle): the
 * materialised path tells, since every descendant's path starts with the category's. A move that
 * changes nothing (same parent, same place) publishes nothing.
 */
export async function moveCategory(
  em: EntityManager,
  input: { categoryId: string; parentId: string; position: number },
): Promise<CategoryMessage> {
  const id = requireUuid('category_id', input.categoryId);
  if (!Number.isInteger(input.position) || input.position < 0) {
    throw invalidArgument('position', 'must be 0 or more');
  }
  return em.transactional(async (tx) => {
    const category = await lockCategory(tx, id);
    const parent = await parentOf(tx, input.parentId);
    if (parent && parent.path.startsWith(category.path)) {
      throw failedPrecondition(
        parent.id === id
          ? 'a category cannot be its own parent'
          : `category ${parent.id} is inside ${id}'s subtree: moving there would make a cycle`,
      );
    }
    const newPath = `${parent?.path ?? '/'}${id}/`;
    const levelShift = (parent ? parent.level + 1 : 0) - category.level;
    const reparented = (parent?.id ?? null) !== category.parent_id;
    if (reparented) {
      // Under a hidden parent the subtree is hidden too, as a category created there would be.
      await tx.execute(
        `UPDATE categories
            SET path = ? || substr(path, ?), level = level + ?, updated_at = now(),
                parent_id = CASE WHEN id = ? THEN ?::uuid ELSE parent_id END,
                is_active = is_active AND ?
          WHERE path LIKE ?`,
        [
          newPath,
          category.path.length + 1,
          levelShift,
          id,
          parent?.id ?? null,
          parent?.is_active ?? true,
          `${category.path}%`,
        ],
        'run',
      );
      // The place it left closes up.
      await tx.execute(
        `UPDATE categories c SET sort_order = o.n - 1
           FROM (SELECT id, row_number() OVER (ORDER BY sort_order, name, id) AS n
                   FROM categories WHERE parent_id IS NOT DISTINCT FROM ? AND id <> ?) o
          WHERE c.id = o.id AND c.sort_order <> o.n - 1`,
        [category.parent_id, id],
        'run',
      );
    }
    const reordered = await placeAmongSiblings(tx, parent?.id ?? null, id, input.position);
    if (!reparented && !reordered) return reread(tx, id);
    return announceCategory(tx, id, CategoryChange.CATEGORY_CHANGE_MOVED);
  });
}

/**
 * Hides or shows a category and its whole subtree; showing one under a hidden parent is refused.
 * Asking for the state it is in changes nothing and publishes nothing.
 */
export async function setCategoryActive(
  em: EntityManager,
  input: { categoryId: string; active: boolean },
): Promise<CategoryMessage> {
  const id = requireUuid('category_id', input.categoryId);
  return em.transactional(async (tx) => {
    const category = await lockCategory(tx, id);
    if (input.active && category.parent_id) {
      const [parent] = await tx.execute<{ is_active: boolean }[]>(
        'SELECT is_active FROM categories WHERE id = ?',
        [category.parent_id],
      );
      if (parent && !parent.is_active) {
        throw failedPrecondition(`its parent ${category.parent_id} is inactive: activate the parent first`);
      }
    }
    const changed = await tx.execute<{ id: string }[]>(
      'UPDATE categories SET is_active = ?, updated_at = now() WHERE path LIKE ? AND is_active <> ? RETURNING id',
      [input.active, `${category.path}%`, input.active],
    );
    if (changed.length === 0) return reread(tx, id);
    return announceCategory(
      tx,
      id,
      input.active ? CategoryChange.CATEGORY_CHANGE_ACTIVATED : CategoryChange.CATEGORY_CHANGE_DEACTIVATED,
    );
  });
}

/** The tree depth first: each category followed by its subtree, siblings by sort order. */
export async function listCategories(
  em: EntityManager,
  includeInactive: boolean,
): Promise<CategoryMessage[]> {
  const rows = await em.execute<CategoryRow[]>(
    `SELECT ${COLUMNS} FROM categories ${includeInactive ? '' : 'WHERE is_active'} ORDER BY level, sort_order, name, id`,
  );
  const children = new Map<string | null, CategoryRow[]>();
  for (const row of rows) {
    const list = children.get(row.parent_id) ?? [];
    list.push(row);
    children.set(row.parent_id, list);
  }
  const ordered: CategoryMessage[] = [];
  const visit = (parent: string | null) => {
    for (const row of children.get(parent) ?? []) {
      ordered.push(categoryOf(row));
      visit(row.id);
    }
  };
  visit(null);
  return ordered;
}
