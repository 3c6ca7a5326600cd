import { seededRandom } from '../../../../lib/seeded-random.js';
import {
  DEMO_BRANDS,
  DEMO_CATEGORIES,
  DEMO_CURRENCY,
  PRODUCTS_PER_CATEGORY,
  type DemoCategory,
  type ProductFamily,
} from './catalog-data.js';

/** One demo product with everything that hangs off it, as plain data (no ids, no dates). */
export interface GeneratedProduct {
  sku: string;
  slug: string;
  name: string;
  shortDescription: string;
  description: string;
  categorySlug: string;
  price: number;
  compareAtPrice: number | null;
  costPrice: number;
  currency: string;
  /** Kilograms, as the decimal string the column takes. */
  weight: string;
  attributes: Record<string, string>;
  variants: { sku: string; name: string; price: number | null; quantity: number }[];
  images: { url: string; altText: string }[];
  tags: string[];
}

export interface FlatCategory {
  slug: string;
  name: string;
  description: string;
  parentSlug: string | null;
  level: number;
  sortOrder: number;
}

/**
 * A deterministic pseudo-random sequence seeded per product from its SKU (an FNV-1a hash), so a
 * product's price and stock do not depend on which other products exist or their order.
 */
function randomFor(key: string): () => number {
  let hash = 2166136261;
  for (const char of key) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
  return seededRandom(hash);
}

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/'/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A shop price: whole euros minus one cent (49.99), never below the family's floor. */
function shopPrice(random: () => number, [min, max]: [number, number]): number {
  const raw = min + random() * (max - min);
  return Math.max(min - 1, Math.round(raw / 100) * 100 - 1);
}

/** The tree flattened parents-first, in display order. */
export function flattenCategories(
  categories: DemoCategory[] = DEMO_CATEGORIES,
  parentSlug: string | null = null,
  level = 0,
): FlatCategory[] {
  return categories.flatMap((category, index) => [
    {
      slug: category.slug,
      name: category.name,
      description: category.description,
      parentSlug,
      level,
      sortOrder: index,
    },
    ...flattenCategories(category.children ?? [], category.slug, level + 1),
  ]);
}

function leaves(categories: DemoCategory[] = DEMO_CATEGORIES): (DemoCategory & { family: ProductFamily })[] {
  return categories.flatMap((category) =>
    category.family ? [{ ...category, family: category.family }] : leaves(category.children ?? []),
  );
}

function productOf(category: DemoCategory, family: ProductFamily, index: number): GeneratedProduct {
  // Walks the adjective × material pairs with a stride coprime to their count: distinct pairs, mixed.
  const pairs = family.materials.flatMap((material) =>
    family.adjectives.map((adjective) => [adjective, material]),
  );
  const [adjective, material] = pairs[(index * 5) % pairs.length] as [string, string];
  const name = [adjective, material, family.noun].filter(Boolean).join(' ');
  const sku = `${family.code}-${String(index + 1).padStart(3, '0')}`;
  const random = randomFor(sku);
  const price = shopPrice(random, family.price);
  const onSale = random() < 0.2;
  const brand = DEMO_BRANDS[Math.floor(random() * DEMO_BRANDS.length)]!;
  const weight = family.weight[0] + random() * (family.weight[1] - family.weight[0]);
  const slug = slugify(name);
  const variants = family.variants.map((option) => {
    // About one variant in twelve is sold out, so the store shows out-of-stock states too.
    const quantity = random() < 0.08 ? 0 : 3 + Math.floor(random() * 120);
    return {
      sku: `${sku}-${option.code}`,
      name: option.name,
      price: option.priceDelta ? price + option.priceDelta : null,
      quantity,
    };
  });
  const tags = [...family.tags, slugify(brand)];
  if (onSale) tags.push('sale');
  if (/organic|recycled|cork|natural|eco|linen/i.test(name)) tags.push('eco');
  if (index < 3) tags.push('new');
  if (random() < 0.15) tags.push('bestseller');
  return {
    sku,
    slug,
    name,
    shortDescription: `${name} by ${brand}: ${family.pitch}.`,
    description:
      `${name} by ${brand} is ${family.pitch}. ` +
      (material ? `Made with ${material.toLowerCase()}, ` : '') +
      `it comes in ${family.variants.map((v) => v.name).join(', ')}. ` +
      `Every order ships from our own warehouse, and you have 30 days to change your mind.`,
    categorySlug: category.slug,
    price,
    compareAtPrice: onSale ? Math.round((price * 1.25) / 100) * 100 - 1 : null,
    costPrice: Math.round(price * 0.45),
    currency: DEMO_CURRENCY,
    weight: weight.toFixed(3),
    attributes: { brand, material },
    variants,
    images: [1, 2, 3].map((n) => ({
      url: `https://picsum.photos/seed/${slug}-${n}/800/800`,
      altText: `${name}, ${['front', 'detail', 'in use'][n - 1]}`,
    })),
    tags: [...new Set(tags)],
  };
}

/** The demo catalog: the same products, prices and stock on every run. */
export function generateCatalog(perCategory = PRODUCTS_PER_CATEGORY): GeneratedProduct[] {
  return leaves().flatMap((leaf) =>
    Array.from({ length: perCategory }, (_, index) => productOf(leaf, leaf.family, index)),
  );
}
