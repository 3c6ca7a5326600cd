import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { parseEncryptionKeys } from './encryption-keys.js';
import { SecretCipher } from './secret-cipher.js';

const keyEntry = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const cipherOf = (value: string) => new SecretCipher(parseEncryptionKeys(value, 'TEST_KEYS'));

describe('lib/crypto: SecretCipher (AES-256-GCM, key id inside, bound to a row)', () => {
  it('round-trips a secret, never shows it, and tells the key that sealed it', () => {
    const cipher = cipherOf(keyEntry('k1'));
    const sealed = cipher.encrypt('sk_live_very_secret', 'row-1');
    expect(sealed).to.match(/^v1:k1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(sealed).not.to.contain('sk_live_very_secret');
    expect(cipher.decrypt(sealed, 'row-1')).to.equal('sk_live_very_secret');
    // A fresh IV each time: the same secret never seals to the same text.
    expect(cipher.encrypt('sk_live_very_secret', 'row-1')).not.to.equal(sealed);
  });

  it('refuses a ciphertext moved to another row, tampered with, or sealed by an unknown key', () => {
    const cipher = cipherOf(keyEntry('k1'));
    const sealed = cipher.encrypt('secret', 'row-1');
    expect(() => cipher.decrypt(sealed, 'row-2')).to.throw(/unable to authenticate/);
    const parts = sealed.split(':');
    const flipped = Buffer.from(parts[4]!, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(() =>
      cipher.decrypt([...parts.slice(0, 4), flipped.toString('base64')].join(':'), 'row-1'),
    ).to.throw(/unable to authenticate/);
    expect(() => cipherOf(keyEntry('other')).decrypt(sealed, 'row-1')).to.throw(
      /encryption key k1 is not configured/,
    );
    expect(() => cipher.decrypt('plain text', 'row-1')).to.throw(/not a sealed secret/);
  });

  it('decrypts with a previous key after rotation and encrypts with the new one', () => {
    const old = keyEntry('old');
    const sealed = cipherOf(old).encrypt('secret', 'row-1');
    const rotated = cipherOf(`${keyEntry('new')},${old}`);
    expect(rotated.decrypt(sealed, 'row-1')).to.equal('secret');
    expect(rotated.encrypt('secret', 'row-1')).to.match(/^v1:new:/);
  });
});
