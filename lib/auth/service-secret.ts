import { createHmac, randomBytes, randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, readString, type Env } from '../config/env.js';
import { rootLogger, type Logger } from '../log.js';

export const SERVICE_MASTER_SECRET_SETTING = 'AUTH_SERVICE_MASTER_SECRET';
export const SERVICE_CLIENT_SECRET_SETTING = 'SERVICE_CLIENT_SECRET';
export const DEV_SERVICE_MASTER_FILE = 'auth-dev-service-master-secret';
const MIN_MASTER_SECRET_LENGTH = 32;

/**
 * A service's client secret: base64url(HMAC-SHA256(master, service name)). The auth service holds
 * only the master and derives any service's secret from it; each service holds only its own.
 */
export function serviceClientSecret(masterSecret: string, serviceName: string): string {
  return createHmac('sha256', masterSecret).update(serviceName).digest('base64url');
}

/** Constant-time comparison of a presented secret with the expected one (any lengths). */
export function secretsMatch(presented: string, expected: string): boolean {
  // Hashing first gives equal-length buffers, so the length of the secret leaks nothing either.
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function checkedMaster(value: string, setting: string): string {
  if (value.length < MIN_MASTER_SECRET_LENGTH) {
    throw new ConfigError(setting, `must be at least ${MIN_MASTER_SECRET_LENGTH} characters`);
  }
  return value;
}

/** Reads the development master file, creating it once (atomically, like the dev signing key). */
async function developmentMaster(dataDir: string, logger: Logger): Promise<string> {
  const path = join(dataDir, DEV_SERVICE_MASTER_FILE);
  try {
    return checkedMaster((await readFile(path, 'utf8')).trim(), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const draft = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(draft, randomBytes(32).toString('base64url'), { mode: 0o600 });
  try {
    await link(draft, path);
    logger.warn({ path }, 'generated a DEVELOPMENT service master secret (refused in production)');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(draft);
  }
  return checkedMaster((await readFile(path, 'utf8')).trim(), path);
}

/**
 * The auth service's master secret for service credentials: AUTH_SERVICE_MASTER_SECRET when set;
 * otherwise, outside production, a development secret generated once into
 * `<dataDir>/auth-dev-service-master-secret`; in production a missing setting is a ConfigError.
 */
export async function loadServiceMasterSecret(
  config: { production: boolean; dataDir: string },
  env: Env = process.env,
  logger: Logger = rootLogger.child({ component: 'service-secret' }),
): Promise<string> {
  const configured = readString(env, SERVICE_MASTER_SECRET_SETTING);
  if (configured !== undefined) return checkedMaster(configured, SERVICE_MASTER_SECRET_SETTING);
  if (config.production) {
    throw new ConfigError(SERVICE_MASTER_SECRET_SETTING, 'is required in production (32+ random characters)');
  }
  return developmentMaster(config.dataDir, logger);
}

/**
 * The client secret a service presents to IssueServiceToken, in this order:
 * `<SERVICE>_SERVICE_CLIENT_SECRET` (several services in one process), `SERVICE_CLIENT_SECRET`
 * (one service per process or pod), derived from AUTH_SERVICE_MASTER_SECRET when this process has
 * it, and outside production derived from the development master file. In production without a
 * setting it is a ConfigError naming SERVICE_CLIENT_SECRET.
 */
export async function loadServiceClientSecret(
  service: string,
  config: { production: boolean; dataDir: string },
  env: Env = process.env,
  logger?: Logger,
): Promise<string> {
  const own =
    readString(env, `${service.toUpperCase()}_${SERVICE_CLIENT_SECRET_SETTING}`) ??
    readString(env, SERVICE_CLIENT_SECRET_SETTING);
  if (own !== undefined) return own;
  const master = readString(env, SERVICE_MASTER_SECRET_SETTING);
  if (master !== undefined)
    return serviceClientSecret(checkedMaster(master, SERVICE_MASTER_SECRET_SETTING), service);
  if (config.production) {
    throw new ConfigError(SERVICE_CLIENT_SECRET_SETTING, 'is required in production to call internal RPCs');
  }
  return serviceClientSecret(await developmentMaster(config.dataDir, logger ?? rootLogger), service);
}
