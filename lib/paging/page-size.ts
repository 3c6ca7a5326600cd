import { invalidArgument } from '../errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** page_size of any list: 0 (unset) means 50, above 100 is capped at 100, negative is refused. */
export function pageSizeOf(pageSize: number | undefined, field = 'page.page_size'): number {
  const size = pageSize ?? 0;
  if (!Number.isInteger(size) || size < 0) throw invalidArgument(field, 'must not be negative');
  if (size === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(size, MAX_PAGE_SIZE);
}
