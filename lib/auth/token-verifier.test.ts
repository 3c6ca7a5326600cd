import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { JWK } from 'jose';
import { pino } from 'pino';
import { AppError } from '../errors.js';
import { customer, signToken, testKey, type TestKey } from './test/keys.js';
import { JwksTokenVerifier } from './token-verifier.js';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  }
  return expect.fail('expected a rejection');
}

const quiet = pino({ level: 'silent' });

describe('JwksTokenVerifier', () => {
  let key: TestKey;
  let other: TestKey;
  let published: JWK[];
  let fetches: number;
  let verifier: JwksTokenVerifier;

  before(async () => {
    key = await testKey('key-1');
    other = await testKey('key-2');
  });

  beforeEach(() => {
    published = [key.publicJwk];
    fetches = 0;
    verifier = new JwksTokenVerifier(
      async () => {
        fetches++;
        return published;
      },
      { logger: quiet },
    );
  });

  it('verifies a token and returns its principal', async () => {
    const principal = await verifier.verify(await signToken(key, customer));
    expect(principal).to.deep.equal(customer);
  });

  it('does no I/O per call once the keys are cached', async () => {
    const token = await signToken(key, customer);
    for (let i = 0; i < 50; i++) await verifier.verify(token);
    expect(fetches).to.equal(1);
  });

  const unauthenticatedCases: [string, (k: TestKey, o: TestKey) => Promise<string>, string][] = [
    ['an expired token', (k) => signToken(k, customer, { expiresIn: -60 }), 'token expired'],
    [
      'a token signed by another key under a known kid',
      (_k, o) => signToken(o, customer, { kid: 'key-1' }),
      'signature',
    ],
    ['a token signed by an unknown key', (_k, o) => signToken(o, customer), 'unknown key'],
    ['a token from another issuer', (k) => signToken(k, customer, { issuer: 'someone-else' }), 'iss'],
    ['a token for another audience', (k) => signToken(k, customer, { audience: 'elsewhere' }), 'aud'],
    ['garbage', async () => 'not.a.token', 'malformed'],
  ];
  for (const [name, make, reason] of unauthenticatedCases) {
    it(`refuses ${name} with UNAUTHENTICATED`, async () => {
      const error = await rejection(verifier.verify(await make(key, other)));
      expect(error.code).to.equal(grpc.status.UNAUTHENTICATED);
      expect(error.message).to.contain(reason);
    });
  }

  it('refetches the key set when a token names an unknown kid (key rotation)', async () => {
    verifier = new JwksTokenVerifier(
      async () => {
        fetches++;
        return published;
      },
      { minRefreshIntervalMs: 0, logger: quiet },
    );
    await verifier.verify(await signToken(key, customer));
    published = [other.publicJwk, key.publicJwk];
    expect((await verifier.verify(await signToken(other, customer))).userId).to.equal(customer.userId);
    expect(fetches).to.equal(2);
  });

  it('stops accepting a token it verified before once a reloaded key set has retired its key', async () => {
    verifier = new JwksTokenVerifier(
      async () => {
        fetches++;
        return published;
      },
      { minRefreshIntervalMs: 0, logger: quiet },
    );
    const old = await signToken(key, customer);
    await verifier.verify(old);
    published = [other.publicJwk];
    await verifier.verify(await signToken(other, customer));
    const error = await rejection(verifier.verify(old));
    expect(error.code).to.equal(grpc.status.UNAUTHENTICATED);
    expect(error.message).to.contain('unknown key');
  });

  it('refetches at most once per interval, single-flight, however many unknown kids arrive', async () => {
    await verifier.verify(await signToken(key, customer));
    const stranger = await signToken(other, customer);
    const errors = await Promise.all(Array.from({ length: 10 }, () => rejection(verifier.verify(stranger))));
    expect(errors.every((e) => e.code === grpc.status.UNAUTHENTICATED)).to.equal(true);
    await rejection(verifier.verify(stranger));
    // One fetch for the first token; the unknown kid came within the 5 s interval of it.
    expect(fetches).to.equal(1);
  });

  it('loads the key set once when many first calls arrive together (single-flight)', async () => {
    const token = await signToken(key, customer);
    await Promise.all(Array.from({ length: 20 }, () => verifier.verify(token)));
    expect(fetches).to.equal(1);
  });

  it('answers UNAVAILABLE while the key set cannot be fetched at all', async () => {
    verifier = new JwksTokenVerifier(
      async () => {
        throw new Error('auth service down');
      },
      { logger: quiet },
    );
    const error = await rejection(verifier.verify(await signToken(key, customer)));
    expect(error.code).to.equal(grpc.status.UNAVAILABLE);
  });

  it('refuses a well-signed token whose claims are malformed', async () => {
    const token = await signToken(key, { ...customer, roles: undefined as unknown as string[] });
    const error = await rejection(verifier.verify(token));
    expect(error.code).to.equal(grpc.status.UNAUTHENTICATED);
    expect(error.message).to.contain('claims');
  });
});
