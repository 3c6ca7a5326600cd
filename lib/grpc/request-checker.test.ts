import { create, createFileRegistry, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { expect } from 'chai';
import { loadDescriptorSet } from './descriptor-set.js';
import { limitsExtensionOf } from './field-limits.js';
import { RequestCheckerCompiler, type RequestChecker } from './request-checker.js';

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, loadDescriptorSet()!));
const compiler = new RequestCheckerCompiler(limitsExtensionOf(registry));

function schema(name: string): DescMessage {
  const message = registry.getMessage(name);
  if (!message) throw new Error(`no message ${name}`);
  return message;
}

function checkerOf(name: string): { check: RequestChecker; encode: (init: object) => Uint8Array } {
  const message = schema(name);
  return {
    check: compiler.compile(message),
    encode: (init) => toBinary(message, create(message, init as never)),
  };
}

/** The UTF-8 bytes of a string with a marker (U+E000, EE 80 80) swapped for a lone surrogate (ED A0 80). */
function withLoneSurrogate(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const at = Buffer.from(out).indexOf(Buffer.from('\u{e000}'));
  out.set([0xed, 0xa0, 0x80], at);
  return out;
}

describe('request checker (the contract rules every request is held to before decoding)', () => {
  const getProduct = checkerOf('ecommerce.product.v1.GetProductRequest');
  const createProduct = checkerOf('ecommerce.product.v1.CreateProductRequest');

  it('passes a well-formed request', () => {
    expect(
      getProduct.check(getProduct.encode({ lookup: { case: 'slug', value: 'plain-tee' } })),
    ).to.deep.equal([]);
    expect(getProduct.check(new Uint8Array())).to.deep.equal([]);
  });

  it('refuses NUL characters, naming the field', () => {
    const bytes = getProduct.encode({ lookup: { case: 'slug', value: 'plain\u0000tee' } });
    expect(getProduct.check(bytes)).to.deep.equal([
      { field: 'slug', description: 'must not contain NUL (U+0000) characters' },
    ]);
  });

  it('refuses a lone surrogate (bytes that are not UTF-8)', () => {
    const bytes = withLoneSurrogate(getProduct.encode({ lookup: { case: 'id', value: 'a\u{e000}b' } }));
    expect(getProduct.check(bytes)).to.deep.equal([
      { field: 'id', description: 'must be valid UTF-8 (no lone surrogates or broken sequences)' },
    ]);
  });

  it('counts the default maximum (500) in code points, so 500 emoji pass and 501 letters do not', () => {
    const emoji = getProduct.encode({ lookup: { case: 'slug', value: '😀'.repeat(500) } });
    expect(getProduct.check(emoji)).to.deep.equal([]);
    const long = getProduct.encode({ lookup: { case: 'slug', value: 'a'.repeat(501) } });
    expect(getProduct.check(long)).to.deep.equal([
      { field: 'slug', description: 'must be at most 500 characters' },
    ]);
  });

  it('reads a larger maximum from the contract (description: 10000)', () => {
    const ok = createProduct.encode({ description: 'd'.repeat(10_000) });
    expect(createProduct.check(ok)).to.deep.equal([]);
    const long = createProduct.encode({ description: 'd'.repeat(10_001) });
    expect(createProduct.check(long)).to.deep.equal([
      { field: 'description', description: 'must be at most 10000 characters' },
    ]);
  });

  it('refuses an int64 beyond ±(2^53 − 1) at both ends, with its path, and passes the limits', () => {
    const amounts = [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n, -(2n ** 53n)];
    for (const amountMinor of amounts) {
      const bytes = createProduct.encode({
        variants: [{ sku: 'A' }, { sku: 'B', price: { currencyCode: 'EUR', amountMinor } }],
      });
      expect(createProduct.check(bytes), String(amountMinor)).to.deep.equal([
        {
          field: 'variants[1].price.amount_minor',
          description: 'must be between -9007199254740991 and 9007199254740991',
        },
      ]);
    }
    const limit = BigInt(Number.MAX_SAFE_INTEGER);
    for (const amountMinor of [limit, -limit]) {
      const bytes = createProduct.encode({ price: { currencyCode: 'EUR', amountMinor } });
      expect(createProduct.check(bytes)).to.deep.equal([]);
    }
  });

  it('names a map value by its key, and a bad key by its map', () => {
    const value = createProduct.encode({ variants: [{ attributes: { size: 'M\u0000' } }] });
    expect(createProduct.check(value)).to.deep.equal([
      { field: 'variants[0].attributes["size"]', description: 'must not contain NUL (U+0000) characters' },
    ]);
    const key = createProduct.encode({ variants: [{ attributes: { ['k'.repeat(501)]: 'M' } }] });
    expect(createProduct.check(key)).to.deep.equal([
      { field: 'variants[0].attributes (a key)', description: 'must be at most 500 characters' },
    ]);
  });

  it('refuses more entries than a repeated field allows (default 1000)', () => {
    const ok = createProduct.encode({ tags: Array.from({ length: 1000 }, () => 't') });
    expect(createProduct.check(ok)).to.deep.equal([]);
    const many = createProduct.encode({ tags: Array.from({ length: 1001 }, () => 't') });
    expect(createProduct.check(many)).to.deep.equal([
      { field: 'tags', description: 'must have at most 1000 entries' },
    ]);
  });

  it('refuses an enum value the contract does not declare', () => {
    const list = checkerOf('ecommerce.product.v1.ListProductsRequest');
    expect(list.check(list.encode({ sort: 1 }))).to.deep.equal([]);
    expect(list.check(list.encode({ sort: 99 }))).to.deep.equal([
      { field: 'sort', description: 'is not a known value' },
    ]);
  });

  it('refuses Timestamps outside years 1-9999 and nanos outside 0-999999999', () => {
    const audit = checkerOf('ecommerce.auth.v1.ListAuditEventsRequest');
    const at = (seconds: bigint, nanos = 0) => audit.encode({ occurredAfter: { seconds, nanos } });
    expect(audit.check(at(-62_135_596_800n))).to.deep.equal([]);
    expect(audit.check(at(253_402_300_799n, 999_999_999))).to.deep.equal([]);
    const range = 'must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z';
    expect(audit.check(at(-62_135_596_801n))).to.deep.equal([
      { field: 'occurred_after', description: range },
    ]);
    expect(audit.check(at(253_402_300_800n))).to.deep.equal([
      { field: 'occurred_after', description: range },
    ]);
    expect(audit.check(at(0n, -1))).to.deep.equal([
      { field: 'occurred_after.nanos', description: 'must be 0 to 999999999' },
    ]);
    expect(audit.check(at(0n, 1_000_000_000))).to.have.length(1);
  });

  it('refuses a field sent with the wrong wire type, and bytes that do not parse', () => {
    const wrong = new BinaryWriter().tag(2, 0).uint32(7).finish(); // slug as a varint
    expect(getProduct.check(wrong)).to.deep.equal([
      { field: 'slug', description: "is encoded as varint, not as its type's length-delimited" },
    ]);
    const truncated = getProduct.encode({ lookup: { case: 'slug', value: 'plain-tee' } }).subarray(0, 5);
    const violations = getProduct.check(truncated);
    expect(violations).to.have.length(1);
    expect(violations[0]!.field).to.equal('');
    expect(violations[0]!.description).to.match(
      /^the request is not a well-formed ecommerce\.product\.v1\.GetProductRequest/,
    );
  });

  it('stops early on a huge string and reports at most 10 violations', () => {
    const huge = getProduct.encode({ lookup: { case: 'id', value: 'x'.repeat(1 << 20) } });
    const started = performance.now();
    expect(getProduct.check(huge)).to.have.length(1);
    expect(performance.now() - started).to.be.below(50);
    const bad = createProduct.encode({ tags: Array.from({ length: 50 }, () => '\u0000') });
    expect(createProduct.check(bad)).to.have.length(10);
  });
});
