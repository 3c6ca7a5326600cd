import type { Env } from '../../../lib/config/index.js';
import { loadEncryptionKeys, SecretCipher } from '../../../lib/crypto/index.js';
import type { Logger } from '../../../lib/log.js';

export const CARRIER_KEYS_SETTING = 'SHIPPING_CARRIER_KEYS';
export const DEV_CARRIER_KEY_FILE = 'shipping-dev-carrier-key';

/**
 * The cipher of carrier API keys: SHIPPING_CARRIER_KEYS (`kid:<32 bytes in base64>`,
 * comma-separated, the first encrypts), the format of PAYMENT_VAULT_KEYS. Unset: outside production,
 * a development key generated once into `<DATA_DIR>/shipping-dev-carrier-key`; in production, a
 * ConfigError naming the setting.
 */
export async function carrierKeyCipherFrom(
  config: { production: boolean; dataDir: string },
  env: Env,
  logger: Logger,
): Promise<SecretCipher> {
  const keys = await loadEncryptionKeys(
    { setting: CARRIER_KEYS_SETTING, devKeyFile: DEV_CARRIER_KEY_FILE, purpose: 'shipping carrier' },
    config,
    env,
    logger,
  );
  return new SecretCipher(keys);
}
