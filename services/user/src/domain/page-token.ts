import type { PageRequest } from '../../../../gen/ecommerce/common/v1/page.js';
import { invalidArgument } from '../../../../lib/errors.js';
import { isUuid } from '../../../../lib/ids.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** A keyset page over rows ordered by their UUIDv7 id: the token is the last id returned. */
export interface IdPage {
  size: number;
  afterId: string | undefined;
}

export function idPageFrom(page: PageRequest | undefined): IdPage {
  const requested = page?.pageSize ?? 0;
  if (requested < 0) throw invalidArgument('page.page_size', 'must not be negative');
  const size = requested === 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
  const token = page?.pageToken ?? '';
  if (token === '') return { size, afterId: undefined };
  const afterId = Buffer.from(token, 'base64url').toString('utf8');
  if (!isUuid(afterId)) throw invalidArgument('page.page_token', 'is not a token this list returned');
  return { size, afterId };
}

export function idPageToken(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}
