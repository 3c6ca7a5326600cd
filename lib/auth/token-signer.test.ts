import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ConfigError } from '../config/env.js';
import { DEV_KEY_FILE, generateSigningKey, loadKeyRing, parseKeyRing } from './key-ring.js';
import { customer } from './test/keys.js';
import { TokenSigner } from './token-signer.js';
import { JwksTokenVerifier } from './token-verifier.js';

const quiet = pino({ level: 'silent' });

describe('TokenSigner and the key ring', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'key-ring-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('signs tokens that a JwksTokenVerifier fed with publicJwks() accepts', async () => {
    const signer = await TokenSigner.create({ active: await generateSigningKey(), previous: [] });
    const verifier = new JwksTokenVerifier(async () => signer.publicJwks(), { logger: quiet });
    expect(await verifier.verify(await signer.sign(customer, 60))).to.deep.equal(customer);
  });

  it('publishes previous keys too, so tokens signed before a rotation stay valid', async () => {
    const oldKey = await generateSigningKey();
    const before = await TokenSigner.create({ active: oldKey, previous: [] });
    const token = await before.sign(customer, 60);
    const after = await TokenSigner.create({ active: await generateSigningKey(), previous: [oldKey] });
    const verifier = new JwksTokenVerifier(async () => after.publicJwks(), { logger: quiet });
    expect((await verifier.verify(token)).userId).to.equal(customer.userId);
    expect(after.publicJwks().map((jwk) => jwk.kid)).to.deep.equal([after.activeKid, oldKey.kid]);
  });

  it('never publishes private key material', async () => {
    const signer = await TokenSigner.create({ active: await generateSigningKey(), previous: [] });
    for (const jwk of signer.publicJwks()) expect(jwk).not.to.have.property('d');
  });

  it('reads AUTH_JWT_PRIVATE_KEYS (first = active) when set', async () => {
    const [a, b] = [await generateSigningKey(), await generateSigningKey()];
    const ring = await loadKeyRing(
      { production: true, dataDir },
      { AUTH_JWT_PRIVATE_KEYS: JSON.stringify([a, b]) },
      quiet,
    );
    expect(ring.active.kid).to.equal(a.kid);
    expect(ring.previous.map((k) => k.kid)).to.deep.equal([b.kid]);
  });

  it('refuses a malformed AUTH_JWT_PRIVATE_KEYS with a ConfigError naming it', async () => {
    for (const value of ['nope', '[]', '[{"kty":"RSA"}]', '[{"kty":"OKP","crv":"Ed25519","x":"abc"}]']) {
      let caught: unknown;
      await parseKeyRing(value).catch((error: unknown) => (caught = error));
      expect(caught, value).to.be.instanceOf(ConfigError);
      expect((caught as ConfigError).setting).to.equal('AUTH_JWT_PRIVATE_KEYS');
    }
  });

  it('in production without AUTH_JWT_PRIVATE_KEYS throws a ConfigError', async () => {
    let caught: unknown;
    await loadKeyRing({ production: true, dataDir }, {}, quiet).catch((error: unknown) => (caught = error));
    expect(caught).to.be.instanceOf(ConfigError);
  });

  it('in development generates one key, stores it with mode 0600 and reuses it', async () => {
    const first = await loadKeyRing({ production: false, dataDir: join(dataDir, 'nested') }, {}, quiet);
    const path = join(dataDir, 'nested', DEV_KEY_FILE);
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    const second = await loadKeyRing({ production: false, dataDir: join(dataDir, 'nested') }, {}, quiet);
    expect(second.active).to.deep.equal(first.active);
    expect(JSON.parse(await readFile(path, 'utf8'))[0].kid).to.equal(first.active.kid);
  });

  it('two processes starting at once end up with the same development key', async () => {
    const rings = await Promise.all(
      [1, 2, 3].map(() => loadKeyRing({ production: false, dataDir }, {}, quiet)),
    );
    expect(new Set(rings.map((r) => r.active.kid)).size).to.equal(1);
  });
});
