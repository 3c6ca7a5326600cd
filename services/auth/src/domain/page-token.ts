import { createHash } from 'node:crypto';
import { invalidArgument } from '../../../../lib/errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/**
 * A keyset position: the (created_at, id) of the last row of the previous page. `createdAt` is
 * PostgreSQL's own text of the timestamp (microseconds: a JavaScript Date would round them away
 * and make pages skip or repeat rows); select it with CURSOR_AT and compare with `?::timestamptz`.
 */
export interface Keyset {
  createdAt: string;
  id: string;
}

/** The column expression that yields `Keyset.createdAt` for a table's created_at. */
export const CURSOR_AT = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** page_size: 0 → 50, above 100 → 100, negative → INVALID_ARGUMENT. */
export function pageSizeOf(page: { pageSize: number } | undefined): number {
  const size = page?.pageSize ?? 0;
  if (size < 0) throw invalidArgument('page.page_size', 'must not be negative');
  return size === 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
}

function filterDigest(filters: unknown): string {
  return createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 16);
}

/** An opaque cursor bound to the filters it was made with. */
export function encodePageToken(position: Keyset, filters: unknown): string {
  const body = { t: position.createdAt, i: position.id, f: filterDigest(filters) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The position a cursor names, or undefined for the first page; INVALID_ARGUMENT if it is bad. */
export function decodePageToken(token: string | undefined, filters: unknown): Keyset | undefined {
  if (!token) return undefined;
  const bad = invalidArgument('page.page_token', 'is malformed or was made for other filters');
  let body: { t?: unknown; i?: unknown; f?: unknown };
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof body;
  } catch {
    throw bad;
  }
  if (typeof body.t !== 'string' || typeof body.i !== 'string' || body.f !== filterDigest(filters)) throw bad;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(body.t) || !UUID.test(body.i)) throw bad;
  return { createdAt: body.t, id: body.i };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A required UUID field, or INVALID_ARGUMENT naming it. */
export function checkUuid(value: string, field: string): string {
  const id = value.trim();
  if (id === '') throw invalidArgument(field, 'is required');
  if (!UUID.test(id)) throw invalidArgument(field, 'must be a UUID');
  return id.toLowerCase();
}
