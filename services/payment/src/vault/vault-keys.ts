import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, readString, type Env } from '../../../../lib/config/index.js';
import type { Logger } from '../../../../lib/log.js';

export const VAULT_KEYS_SETTING = 'PAYMENT_VAULT_KEYS';
export const DEV_VAULT_KEY_FILE = 'payment-dev-vault-key';

/** AES-256 keys by id: `active` encrypts, every key (active included) decrypts what it encrypted. */
export interface VaultKeys {
  active: { id: string; key: Buffer };
  byId: Map<string, Buffer>;
}

const ENTRY = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/]{43}=)$/;

/** Parses `kid:base64key,kid:base64key` (first = active; each key 32 bytes, standard base64). */
export function parseVaultKeys(value: string, setting = VAULT_KEYS_SETTING): VaultKeys {
  const entries = value.split(',').map((entry) => entry.trim());
  const byId = new Map<string, Buffer>();
  entries.forEach((entry, index) => {
    const match = ENTRY.exec(entry);
    if (!match) {
      throw new ConfigError(setting, `entry ${index} must be <key id>:<32 bytes in base64>`);
    }
    if (byId.has(match[1]!)) throw new ConfigError(setting, `has two keys with the id ${match[1]}`);
    byId.set(match[1]!, Buffer.from(match[2]!, 'base64'));
  });
  const activeId = ENTRY.exec(entries[0]!)![1]!;
  return { active: { id: activeId, key: byId.get(activeId)! }, byId };
}

async function developmentKeys(dataDir: string, logger: Logger): Promise<VaultKeys> {
  const path = join(dataDir, DEV_VAULT_KEY_FILE);
  try {
    return parseVaultKeys((await readFile(path, 'utf8')).trim(), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const entry = `dev-${randomBytes(4).toString('hex')}:${randomBytes(32).toString('base64')}`;
  await mkdir(dataDir, { recursive: true });
  // Written aside and linked into place: two processes starting at once end up with one key.
  const draft = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(draft, entry, { mode: 0o600 });
  try {
    await link(draft, path);
    logger.warn({ path }, 'generated a DEVELOPMENT payment vault key (refused in production)');
    return parseVaultKeys(entry, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseVaultKeys((await readFile(path, 'utf8')).trim(), path);
  } finally {
    await unlink(draft);
  }
}

/**
 * The vault's encryption keys: PAYMENT_VAULT_KEYS when set. Otherwise, outside production, a
 * development key generated once into `<dataDir>/payment-dev-vault-key` (mode 0600) so vaulted
 * tokens stay readable across restarts; in production a missing setting is a ConfigError.
 */
export async function loadVaultKeys(
  config: { production: boolean; dataDir: string },
  env: Env,
  logger: Logger,
): Promise<VaultKeys> {
  const value = readString(env, VAULT_KEYS_SETTING);
  if (value !== undefined) return parseVaultKeys(value);
  if (config.production) {
    throw new ConfigError(VAULT_KEYS_SETTING, 'is required in production (<key id>:<32 bytes in base64>)');
  }
  return developmentKeys(config.dataDir, logger);
}
