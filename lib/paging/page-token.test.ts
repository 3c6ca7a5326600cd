import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { AppError } from '../errors.js';
import { keysetPageOf, pageFrom } from './keyset-page.js';
import { decodePageToken, encodePageToken, listingOf } from './page-token.js';
import { pageSizeOf } from './page-size.js';

const ID = '0190a3c0-0000-7000-8000-000000000001';

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  }
  expect.fail('expected INVALID_ARGUMENT');
}

const token = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');

describe('page tokens', () => {
  const listing = listingOf({ sort: 'newest', tag: 'shirts' });

  it('a token reads back as the position it was made from, for its own listing only', () => {
    const position = { key: '2024-03-01 12:34:56.123456+00', id: ID };
    const made = encodePageToken(listing, position);
    expect(decodePageToken(made, listing, 'timestamp')).to.deep.equal(position);
    expect(decodePageToken('', listing, 'timestamp')).to.equal(undefined);
    const other = refusal(() =>
      decodePageToken(made, listingOf({ sort: 'newest', tag: 'hats' }), 'timestamp'),
    );
    expect(other.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(other.violations).to.deep.equal([
      {
        field: 'page.page_token',
        description: 'belongs to a listing with other filters or another sort order',
      },
    ]);
  });

  it('a well-formed token with an impossible sort key is INVALID_ARGUMENT on page.page_token', () => {
    for (const key of ['2024-13-45 12:00:00+00', '2023-02-29T00:00:00Z', 'now()', '']) {
      const error = refusal(() => decodePageToken(token([1, listing, key, ID]), listing, 'timestamp'));
      expect(error.code, key).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(error.violations, key).to.deep.equal([
        { field: 'page.page_token', description: 'is not a page token of this listing' },
      ]);
    }
    const price = refusal(() => decodePageToken(token([1, listing, '1e400', ID]), listing, 'decimal'));
    expect(price.code).to.equal(grpc.status.INVALID_ARGUMENT);
  });

  it('anything but our whole format is INVALID_ARGUMENT', () => {
    for (const bad of [
      'not base64 json!',
      token({ t: '2024-03-01 12:00:00+00', i: ID }),
      token([2, listing, '2024-03-01 12:00:00+00', ID]),
      token([1, listing, '2024-03-01 12:00:00+00', 'not-a-uuid']),
      token([1, listing, '2024-03-01 12:00:00+00', ID, 'extra']),
      token([1, listing, 5, ID]),
    ]) {
      expect(refusal(() => decodePageToken(bad, listing, 'timestamp')).code, bad).to.equal(
        grpc.status.INVALID_ARGUMENT,
      );
    }
  });

  it('a listing ordered by id alone takes no sort key', () => {
    expect(decodePageToken(token([1, listing, '', ID]), listing, 'none')).to.deep.equal({ key: '', id: ID });
    expect(refusal(() => decodePageToken(token([1, listing, '12', ID]), listing, 'none')).code).to.equal(
      grpc.status.INVALID_ARGUMENT,
    );
  });

  it('page size: 0 is 50, above 100 is 100, negative is INVALID_ARGUMENT on page.page_size', () => {
    expect(pageSizeOf(undefined)).to.equal(50);
    expect(pageSizeOf(0)).to.equal(50);
    expect(pageSizeOf(7)).to.equal(7);
    expect(pageSizeOf(1000)).to.equal(100);
    expect(refusal(() => pageSizeOf(-1)).violations).to.deep.equal([
      { field: 'page.page_size', description: 'must not be negative' },
    ]);
  });

  it('pageFrom shows size rows and a token to the next page only when there is one', () => {
    const page = keysetPageOf({ pageSize: 2 }, { sort: 'newest' }, 'none');
    const rows = ['a', 'b', 'c'].map((name, i) => ({ name, id: ID.replace(/1$/, String(i + 1)) }));
    const first = pageFrom(rows, page, (row) => ({ key: '', id: row.id }));
    expect(first.rows.map((row) => row.name)).to.deep.equal(['a', 'b']);
    const next = keysetPageOf({ pageSize: 2, pageToken: first.nextPageToken }, { sort: 'newest' }, 'none');
    expect(next.after).to.deep.equal({ key: '', id: rows[1]!.id });
    expect(pageFrom(rows.slice(0, 2), page, (row) => ({ key: '', id: row.id })).nextPageToken).to.equal('');
  });
});
