import type { Env } from '../../../../lib/config/index.js';
import {
  loadEncryptionKeys,
  parseEncryptionKeys,
  type EncryptionKeys,
} from '../../../../lib/crypto/index.js';
import type { Logger } from '../../../../lib/log.js';

export const VAULT_KEYS_SETTING = 'PAYMENT_VAULT_KEYS';
export const DEV_VAULT_KEY_FILE = 'payment-dev-vault-key';

const VAULT_KEYS = { setting: VAULT_KEYS_SETTING, devKeyFile: DEV_VAULT_KEY_FILE, purpose: 'payment vault' };

/** Parses `kid:base64key,kid:base64key` (first = active; each key 32 bytes, standard base64). */
export function parseVaultKeys(value: string): EncryptionKeys {
  return parseEncryptionKeys(value, VAULT_KEYS_SETTING);
}

/**
 * The vault's encryption keys: PAYMENT_VAULT_KEYS when set. Otherwise, outside production, a
 * development key generated once into `<dataDir>/payment-dev-vault-key` (mode 0600) so vaulted
 * tokens stay readable across restarts; in production a missing setting is a ConfigError.
 */
export function loadVaultKeys(
  config: { production: boolean; dataDir: string },
  env: Env,
  logger: Logger,
): Promise<EncryptionKeys> {
  return loadEncryptionKeys(VAULT_KEYS, config, env, logger);
}
