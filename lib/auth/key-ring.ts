import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { ConfigError, readString, type Env } from '../config/env.js';
import { rootLogger, type Logger } from '../log.js';

export const PRIVATE_KEYS_SETTING = 'AUTH_JWT_PRIVATE_KEYS';
export const DEV_KEY_FILE = 'auth-dev-signing-key.json';

/** Ed25519 private JWKs, each with a kid: the one that signs now, and the ones that signed before. */
export interface KeyRing {
  active: JWK;
  previous: JWK[];
}

/** The public half of a key, as published in the JWKS. */
export function publicJwkOf(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: jwk.kid, alg: 'EdDSA', use: 'sig' };
}

/** A new Ed25519 private JWK whose kid is its RFC 7638 thumbprint. */
export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'EdDSA' };
}

async function checkedKey(value: unknown, setting: string, index: number): Promise<JWK> {
  const jwk = value as JWK;
  if (typeof value !== 'object' || value === null || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') {
    throw new ConfigError(setting, `entry ${index} must be an Ed25519 JWK (kty OKP, crv Ed25519)`);
  }
  if (typeof jwk.x !== 'string' || typeof jwk.d !== 'string') {
    throw new ConfigError(setting, `entry ${index} must be a private key (with "x" and "d")`);
  }
  const kid = typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : await calculateJwkThumbprint(jwk);
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d, kid, alg: 'EdDSA' };
}

/** Parses a JSON array of Ed25519 private JWKs (first = active) into a key ring. */
export async function parseKeyRing(json: string, setting = PRIVATE_KEYS_SETTING): Promise<KeyRing> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigError(setting, 'must be a JSON array of Ed25519 private JWKs');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ConfigError(setting, 'must be a non-empty JSON array of Ed25519 private JWKs');
  }
  const keys = await Promise.all(parsed.map((entry, index) => checkedKey(entry, setting, index)));
  const kids = new Set(keys.map((key) => key.kid));
  if (kids.size !== keys.length) throw new ConfigError(setting, 'has two keys with the same kid');
  const [active, ...previous] = keys as [JWK, ...JWK[]];
  return { active, previous };
}

async function developmentKey(dataDir: string, logger: Logger): Promise<JWK> {
  const path = join(dataDir, DEV_KEY_FILE);
  try {
    return (await parseKeyRing(await readFile(path, 'utf8'), path)).active;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = await generateSigningKey();
  await mkdir(dataDir, { recursive: true });
  // Write aside, then link into place: the file appears whole or not at all, and when two
  // processes start at once the second link fails and that process reads the first one's key.
  const draft = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(draft, JSON.stringify([key]), { mode: 0o600 });
  try {
    await link(draft, path);
    logger.warn({ path, kid: key.kid }, 'generated a DEVELOPMENT token signing key (refused in production)');
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await parseKeyRing(await readFile(path, 'utf8'), path)).active;
  } finally {
    await unlink(draft);
  }
}

/**
 * The auth service's signing keys: AUTH_JWT_PRIVATE_KEYS when set. Otherwise, outside production,
 * a development key generated once and kept in `<dataDir>/auth-dev-signing-key.json` (mode 0600)
 * so tokens survive restarts; in production a missing setting is a ConfigError.
 */
export async function loadKeyRing(
  config: { production: boolean; dataDir: string },
  env: Env = process.env,
  logger: Logger = rootLogger.child({ component: 'key-ring' }),
): Promise<KeyRing> {
  const json = readString(env, PRIVATE_KEYS_SETTING);
  if (json !== undefined) return parseKeyRing(json);
  if (config.production) {
    throw new ConfigError(
      PRIVATE_KEYS_SETTING,
      'is required in production (a JSON array of Ed25519 private JWKs)',
    );
  }
  const active = await developmentKey(config.dataDir, logger);
  logger.warn(
    { kid: active.kid },
    `using the development signing key; set ${PRIVATE_KEYS_SETTING} for real keys`,
  );
  return { active, previous: [] };
}
