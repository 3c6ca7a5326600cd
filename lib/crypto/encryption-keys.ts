import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, readString, type Env } from '../config/index.js';
import type { Logger } from '../log.js';

/** AES-256 keys by id: `active` encrypts, every key (active included) decrypts what it encrypted. */
export interface EncryptionKeys {
  active: { id: string; key: Buffer };
  byId: Map<string, Buffer>;
}

/** Where one set of keys comes from: its setting, and the file of its development key. */
export interface EncryptionKeySetting {
  /** The environment variable holding `kid:base64key,kid:base64key` (`PAYMENT_VAULT_KEYS`). */
  setting: string;
  /** The development key's file name under DATA_DIR (`payment-dev-vault-key`). */
  devKeyFile: string;
  /** What the keys protect, for the log line of a generated key (`payment vault`). */
  purpose: string;
}

const ENTRY = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/]{43}=)$/;

/** Parses `kid:base64key,kid:base64key` (first = active; each key 32 bytes, standard base64). */
export function parseEncryptionKeys(value: string, setting: string): EncryptionKeys {
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

async function developmentKeys(
  which: EncryptionKeySetting,
  dataDir: string,
  logger: Logger,
): Promise<EncryptionKeys> {
  const path = join(dataDir, which.devKeyFile);
  try {
    return parseEncryptionKeys((await readFile(path, 'utf8')).trim(), path);
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
    logger.warn({ path }, `generated a DEVELOPMENT ${which.purpose} key (refused in production)`);
    return parseEncryptionKeys(entry, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseEncryptionKeys((await readFile(path, 'utf8')).trim(), path);
  } finally {
    await unlink(draft);
  }
}

/**
 * The keys of `which.setting` when it is set. Otherwise, outside production, a development key
 * generated once into `<dataDir>/<which.devKeyFile>` (mode 0600) so what it encrypted stays
 * readable across restarts; in production a missing setting is a ConfigError.
 */
export async function loadEncryptionKeys(
  which: EncryptionKeySetting,
  config: { production: boolean; dataDir: string },
  env: Env,
  logger: Logger,
): Promise<EncryptionKeys> {
  const value = readString(env, which.setting);
  if (value !== undefined) return parseEncryptionKeys(value, which.setting);
  if (config.production) {
    throw new ConfigError(which.setting, 'is required in production (<key id>:<32 bytes in base64>)');
  }
  return developmentKeys(which, config.dataDir, logger);
}
