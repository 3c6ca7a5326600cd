import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { VaultKeys } from './vault-keys.js';

const VERSION = 'v1';

/**
 * AES-256-GCM for provider tokens at rest: `v1:<key id>:<iv>:<tag>:<ciphertext>` (base64 parts).
 * The key id travels with the ciphertext, so keys can rotate: new tokens use the active key, old
 * ones stay readable while their key is still configured. The row id is bound in as associated
 * data, so a ciphertext copied onto another row does not decrypt.
 */
export class TokenCipher {
  constructor(private readonly keys: VaultKeys) {}

  encrypt(plaintext: string, rowId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.active.key, iv);
    cipher.setAAD(Buffer.from(rowId));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keys.active.id, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64')))
      .join(':');
  }

  decrypt(sealed: string, rowId: string): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split(':');
    if (version !== VERSION || !keyId || !iv || !tag || ciphertext === undefined) {
      throw new Error('not a vault ciphertext');
    }
    const key = this.keys.byId.get(keyId);
    if (!key) throw new Error(`vault key ${keyId} is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(rowId));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }
}
