import { optionalText, requireUuid } from '../../../../lib/validation/index.js';
import { invalidArgument } from '../../../../lib/errors.js';
import { requireMoney, type Money } from '../../../../lib/money.js';
import { requireUrl } from './validation.js';

/** Rules shared by CreateProduct and UpdateProduct for images, tags, categories and attributes. */

export const MAX_IMAGES = 50;
export const MAX_TAGS = 50;
export const MAX_CATEGORIES = 20;
export const MAX_VARIANTS = 100;
const MAX_ATTRIBUTES = 20;

export interface ImageInput {
  url: string;
  altText: string;
  primary: boolean;
}

export interface ValidImage {
  url: string;
  altText: string | null;
  primary: boolean;
  sortOrder: number;
}

/** Images in the given order; the one marked primary (or else the first) is primary. */
export function requireImages(images: readonly ImageInput[], field: string): ValidImage[] {
  if (images.length > MAX_IMAGES) throw invalidArgument(field, `must have at most ${MAX_IMAGES} entries`);
  const primaries = images.filter((image) => image.primary).length;
  if (primaries > 1) throw invalidArgument(field, 'at most one image may be primary');
  return images.map((image, i) => ({
    url: requireUrl(image.url, `${field}[${i}].url`),
    altText: optionalText(`${field}[${i}].alt_text`, image.altText, 300),
    primary: primaries === 0 ? i === 0 : image.primary,
    sortOrder: i,
  }));
}

/** Tags lower case, trimmed, repeats merged, alphabetical. */
export function requireTags(tags: readonly string[], field: string): string[] {
  if (tags.length > MAX_TAGS) throw invalidArgument(field, `must have at most ${MAX_TAGS} entries`);
  const normalised = tags.map((tag, i) => {
    const value = tag.trim().toLowerCase();
    if (value === '' || value.length > 50) throw invalidArgument(`${field}[${i}]`, 'must be 1-50 characters');
    return value;
  });
  return [...new Set(normalised)].sort();
}

export function requireCategoryIds(ids: readonly string[], field: string): string[] {
  if (ids.length > MAX_CATEGORIES)
    throw invalidArgument(field, `must have at most ${MAX_CATEGORIES} entries`);
  return [...new Set(ids.map((id, i) => requireUuid(`${field}[${i}]`, id)))];
}

export function requireAttributes(attributes: Record<string, string>, field: string): Record<string, string> {
  const entries = Object.entries(attributes);
  if (entries.length > MAX_ATTRIBUTES)
    throw invalidArgument(field, `must have at most ${MAX_ATTRIBUTES} entries`);
  const result: Record<string, string> = {};
  for (const [key, value] of entries) {
    const name = key.trim();
    if (name === '' || name.length > 50)
      throw invalidArgument(`${field}.${key}`, 'keys must be 1-50 characters');
    if (value.length > 200) throw invalidArgument(`${field}.${key}`, 'must be at most 200 characters');
    result[name] = value;
  }
  return result;
}

/** A price in the product's currency. */
export function requirePriceIn(value: Money | undefined, field: string, currency: string): Money {
  const money = requireMoney(value, field);
  if (money.currencyCode !== currency) {
    throw invalidArgument(`${field}.currency_code`, `must be the product's currency ${currency}`);
  }
  return money;
}
