import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKeys } from './encryption-keys.js';

const VERSION = 'v1';

/**
 * AES-256-GCM for secrets at rest (payment provider tokens, carrier API keys):
 * `v1:<key id>:<iv>:<tag>:<ciphertext>` (base64 parts). The key id travels with the ciphertext,
 * so keys can rotate: new secrets use the active key, old ones stay readable while their key is
 * still configured. The row id (`boundTo`) is bound in as associated data, so a ciphertext copied
 * onto another row does not decrypt.
 */
export class SecretCipher {
  constructor(private readonly keys: EncryptionKeys) {}

  encrypt(plaintext: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.active.key, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keys.active.id, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64')))
      .join(':');
  }

  decrypt(sealed: string, boundTo: string): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split(':');
    if (version !== VERSION || !keyId || !iv || !tag || ciphertext === undefined) {
      throw new Error('not a sealed secret (v1:<key id>:<iv>:<tag>:<ciphertext>)');
    }
    const key = this.keys.byId.get(keyId);
    if (!key) throw new Error(`encryption key ${keyId} is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(boundTo));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }
}
