/**
 * Typed readers for environment settings. A missing or malformed setting throws a ConfigError
 * that names the setting, so a process can say exactly what to fix and exit non-zero.
 */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`configuration: ${setting} ${problem}`);
    this.name = 'ConfigError';
  }
}

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function readString(env: Env, name: string, fallback?: string): string | undefined {
  return raw(env, name) ?? fallback;
}

export function readInt(
  env: Env,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be a whole number, got "${value}"`);
  const parsed = Number(value);
  if (parsed < range.min || parsed > range.max) {
    throw new ConfigError(name, `must be between ${range.min} and ${range.max}, got ${parsed}`);
  }
  return parsed;
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(name, `must be true or false, got "${value}"`);
}

/**
 * A URL that failed to parse, fit to be quoted in an error: everything up to its last `@` after the
 * scheme (user and password: a password with an unescaped `@` or `/` is a common way to get here)
 * is left out, so a log never holds a credential.
 */
function withoutCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/i, '$1…@');
}

export function readUrl(env: Env, name: string, protocols: string[]): URL | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `must be a URL, got "${withoutCredentials(value)}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${url.protocol}"`);
  }
  return url;
}

export function readHostPort(env: Env, name: string, fallback: string): string {
  const value = raw(env, name) ?? fallback;
  if (!/^[^\s:]+:\d{1,5}$/.test(value) && !/^\[[0-9a-f:]+\]:\d{1,5}$/i.test(value)) {
    throw new ConfigError(name, `must be host:port, got "${value}"`);
  }
  return value;
}
