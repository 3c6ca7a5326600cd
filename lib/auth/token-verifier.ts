import { decodeProtectedHeader, errors, importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { AppError, isAppError, unauthenticated, unavailable } from '../errors.js';
import { rootLogger, type Logger } from '../log.js';
import { principalOf, TOKEN_ALGORITHMS, TOKEN_AUDIENCE, TOKEN_ISSUER } from './claims.js';
import type { Principal } from './principal.js';
import { VerifiedTokens } from './verified-tokens.js';

/** Turns a bearer token into the principal it names, or throws UNAUTHENTICATED. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export interface JwksTokenVerifierOptions {
  issuer?: string;
  audience?: string;
  /** At most one key-set fetch per this interval when tokens name unknown keys (default 5 s). */
  minRefreshIntervalMs?: number;
  /** Allowed clock skew between the auth service and this process (default 5 s). */
  clockToleranceSeconds?: number;
  logger?: Logger;
}

/**
 * Verifies Ed25519-signed access tokens locally against the auth service's published key set.
 * Keys are cached by `kid`, so once loaded a verification does no I/O. A token naming a kid we do
 * not know triggers one refetch (single-flight, rate-limited), which is how key rotation arrives.
 * A token verified once answers from memory until it expires (at most a minute, and never across a
 * change of the key set): a client's later calls with it cost a map lookup, not a signature check.
 */
export class JwksTokenVerifier implements TokenVerifier {
  private keys: Map<string, CryptoKey> | undefined;
  private inFlight: Promise<void> | undefined;
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private readonly issuer: string;
  private readonly audience: string;
  private readonly minRefreshIntervalMs: number;
  private readonly clockToleranceSeconds: number;
  private readonly logger: Logger;
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly fetchJwks: () => Promise<JWK[]>,
    options: JwksTokenVerifierOptions = {},
  ) {
    this.issuer = options.issuer ?? TOKEN_ISSUER;
    this.audience = options.audience ?? TOKEN_AUDIENCE;
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 5000;
    this.clockToleranceSeconds = options.clockToleranceSeconds ?? 5;
    this.logger = options.logger ?? rootLogger.child({ component: 'token-verifier' });
  }

  async verify(token: string): Promise<Principal> {
    const known = this.verified.get(token);
    if (known) return known;
    const kid = kidOf(token);
    const key = await this.keyFor(kid);
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        issuer: this.issuer,
        audience: this.audience,
        algorithms: TOKEN_ALGORITHMS,
        clockTolerance: this.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw unauthenticated(reasonFor(error));
    }
    const principal = principalOf(payload);
    if (!principal) throw unauthenticated('token claims are malformed');
    // A key set reloaded during the check (keys retired, the remembered tokens forgotten) must not
    // get this token remembered again: only a key that is still the current one vouches for it.
    if (this.keys?.get(kid) !== key) return principal;
    return this.verified.remember(token, principal, payload.exp!);
  }

  /** Loads the key set now (at start-up, so the first request does not wait for it). */
  async refresh(): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async keyFor(kid: string): Promise<CryptoKey> {
    const cached = this.keys?.get(kid);
    if (cached) return cached;
    const interval = this.keys ? this.minRefreshIntervalMs : Math.min(this.minRefreshIntervalMs, 1000);
    if (this.inFlight || Date.now() - this.lastFetchAt >= interval) {
      try {
        await this.refresh();
      } catch (error) {
        if (!this.keys) throw unavailable('token signing keys are unavailable');
        this.logger.warn({ err: error }, 'refreshing token signing keys failed; keeping the cached ones');
      }
    }
    if (!this.keys) throw unavailable('token signing keys are unavailable');
    const key = this.keys.get(kid);
    if (!key) throw unauthenticated('token signed with an unknown key');
    return key;
  }

  private async load(): Promise<void> {
    this.lastFetchAt = Date.now();
    let jwks: JWK[];
    try {
      jwks = await this.fetchJwks();
    } catch (error) {
      this.logger.warn(
        { err: isAppError(error) ? error.message : error },
        'fetching token signing keys failed',
      );
      throw error;
    }
    const keys = new Map<string, CryptoKey>();
    for (const jwk of jwks) {
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.kid || !jwk.x) {
        this.logger.warn(
          { kid: jwk.kid, kty: jwk.kty, crv: jwk.crv },
          'ignoring a non-Ed25519 key in the key set',
        );
        continue;
      }
      const { d: _private, ...publicJwk } = jwk;
      keys.set(jwk.kid, (await importJWK(publicJwk, 'EdDSA')) as CryptoKey);
    }
    this.keys = keys;
    this.verified.clear();
    this.logger.info({ kids: [...keys.keys()] }, 'token signing keys loaded');
  }
}

function kidOf(token: string): string {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw unauthenticated('malformed token');
  }
  if (typeof kid !== 'string' || kid === '') throw unauthenticated('token has no key id');
  return kid;
}

function reasonFor(error: unknown): string {
  if (error instanceof AppError) return error.message;
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `token ${error.claim} claim is invalid`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm is not allowed';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed token';
  return 'invalid token';
}
