import { invalidArgument } from '../../../../lib/errors.js';

// The product service's own formats; the generic checks (required, UUID, text length) are in
// lib/validation.

const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function requireSku(value: string, field: string): string {
  const sku = value.trim();
  if (!SKU.test(sku))
    throw invalidArgument(field, 'must be 1-64 letters, digits, dots, dashes or underscores');
  return sku;
}

export function requireSlug(value: string, field: string): string {
  const slug = value.trim();
  if (slug.length > 200 || !SLUG.test(slug)) {
    throw invalidArgument(field, 'must be lower-case words of letters and digits joined by single dashes');
  }
  return slug;
}

export function requireStock(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 1_000_000_000) {
    throw invalidArgument(field, 'must be a whole number from 0 to 1000000000');
  }
  return value;
}

const URL_PATTERN = /^https?:\/\/[^\s]+$/;

export function requireUrl(value: string, field: string): string {
  const url = value.trim();
  if (url === '') throw invalidArgument(field, 'is required');
  if (url.length > 2000 || !URL_PATTERN.test(url) || !URL.canParse(url)) {
    throw invalidArgument(field, 'must be an absolute http(s) URL of at most 2000 characters');
  }
  return url;
}

export function optionalUrl(value: string, field: string): string | null {
  return value.trim() === '' ? null : requireUrl(value, field);
}
