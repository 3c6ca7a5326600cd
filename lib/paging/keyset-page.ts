import { decodePageToken, encodePageToken, listingOf, type KeysetPosition } from './page-token.js';
import { pageSizeOf } from './page-size.js';
import type { SortKeyType } from './sort-key.js';

/** A list request's `page` (`ecommerce.common.v1.PageRequest`). */
export interface PageInput {
  pageSize?: number;
  pageToken?: string;
}

/** One keyset page to read: how many rows, after which position, of which listing. */
export interface KeysetPage {
  size: number;
  after: KeysetPosition | undefined;
  listing: string;
}

/**
 * Reads a list request's page: its size (pageSizeOf) and the position its token names, checked
 * against the listing the `filters` describe and the sort key's type.
 */
export function keysetPageOf(
  page: PageInput | undefined,
  filters: unknown,
  keyType: SortKeyType,
): KeysetPage {
  const listing = listingOf(filters);
  return {
    size: pageSizeOf(page?.pageSize),
    after: decodePageToken(page?.pageToken, listing, keyType),
    listing,
  };
}

/**
 * The page's rows and the token of the next one, from a query that read `size + 1` rows (one more
 * tells whether there is a next page without counting).
 */
export function pageFrom<R>(
  rows: R[],
  page: KeysetPage,
  positionOf: (row: R) => KeysetPosition,
): { rows: R[]; nextPageToken: string } {
  const shown = rows.slice(0, page.size);
  const last = shown[shown.length - 1];
  return {
    rows: shown,
    nextPageToken: rows.length > page.size && last ? encodePageToken(page.listing, positionOf(last)) : '',
  };
}
