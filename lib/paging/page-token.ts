import { createHash } from 'node:crypto';
import { invalidArgument } from '../errors.js';
import { isUuid } from '../ids.js';
import { isSortKeyOf, type SortKeyType } from './sort-key.js';

/** Where a keyset page ends: the sort value and id of its last row. */
export interface KeysetPosition {
  /** The last row's sort value as the database printed it ('' when the id alone orders the rows). */
  key: string;
  /** The last row's id (the tie-break). */
  id: string;
}

const VERSION = 1;

/**
 * The binding of a listing: a digest of everything that decides which rows it has and in which
 * order (filters and sort). A token made for one listing is refused by another, since paging on
 * with it would skip or repeat rows.
 */
export function listingOf(filters: unknown): string {
  return createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 16);
}

/** An opaque token naming the position after which the next page starts. */
export function encodePageToken(listing: string, position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([VERSION, listing, position.key, position.id])).toString('base64url');
}

/**
 * The position a page token names ('' → the first page). The token is checked whole: our format
 * and version, the listing it belongs to, the id a UUID, the sort key a real value of `keyType`;
 * anything else is INVALID_ARGUMENT on `field`.
 *
 * Tokens are not signed: a position that passes these checks is just another place to start a
 * listing the caller may read anyway, so an edited token shows nothing a first page would not.
 */
export function decodePageToken(
  token: string | undefined,
  listing: string,
  keyType: SortKeyType,
  field = 'page.page_token',
): KeysetPosition | undefined {
  if (!token) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidArgument(field, 'is not a page token of this listing');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    parsed[0] !== VERSION ||
    typeof parsed[1] !== 'string' ||
    typeof parsed[2] !== 'string' ||
    typeof parsed[3] !== 'string' ||
    !isUuid(parsed[3]) ||
    !isSortKeyOf(keyType, parsed[2])
  ) {
    throw invalidArgument(field, 'is not a page token of this listing');
  }
  if (parsed[1] !== listing) {
    throw invalidArgument(field, 'belongs to a listing with other filters or another sort order');
  }
  return { key: parsed[2], id: parsed[3].toLowerCase() };
}
