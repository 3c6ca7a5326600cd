import { invalidArgument } from '../../../../lib/errors.js';
import { isUuid } from '../../../../lib/ids.js';

/** Where a keyset page ends: the sort value and id of its last row, bound to the listing's filters. */
export interface PageCursor {
  /** Hash of the listing (filters and sort) the token belongs to. */
  listing: string;
  /** The last row's sort value, as the database printed it. */
  key: string;
  /** The last row's id (the tie-break). */
  id: string;
}

export function encodePageToken(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([1, cursor.listing, cursor.key, cursor.id])).toString('base64url');
}

/**
 * What a sort key looks like as PostgreSQL prints it, by the type it is cast back to: a token is
 * only base64 JSON, so an edited key must be refused here rather than fail the cast in SQL.
 */
export const SORT_KEY_FORMATS = {
  timestamptz: /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)?$/,
  numeric: /^-?\d{1,20}(\.\d{1,20})?$/,
} as const;

/**
 * Reads a page token of this listing. A token that is not one of ours, that belongs to another
 * listing (other filters or sort), or whose sort key is not of the listing's sort type, is
 * INVALID_ARGUMENT: paging on with it would skip or repeat rows.
 */
export function decodePageToken(
  token: string,
  listing: string,
  field: string,
  keyType: keyof typeof SORT_KEY_FORMATS,
): PageCursor | undefined {
  if (token === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidArgument(field, 'is not a page token of this listing');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    parsed[0] !== 1 ||
    typeof parsed[1] !== 'string' ||
    typeof parsed[2] !== 'string' ||
    typeof parsed[3] !== 'string' ||
    !isUuid(parsed[3]) ||
    !SORT_KEY_FORMATS[keyType].test(parsed[2])
  ) {
    throw invalidArgument(field, 'is not a page token of this listing');
  }
  if (parsed[1] !== listing) {
    throw invalidArgument(field, 'belongs to a listing with other filters or another sort order');
  }
  return { listing, key: parsed[2], id: parsed[3] };
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** page_size: 0 means the default, above the maximum is capped, negative is refused. */
export function pageSizeOf(pageSize: number | undefined, field: string): number {
  const size = pageSize ?? 0;
  if (!Number.isInteger(size) || size < 0) throw invalidArgument(field, 'must not be negative');
  if (size === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(size, MAX_PAGE_SIZE);
}
