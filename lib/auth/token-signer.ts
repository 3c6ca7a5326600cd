import { importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { newId } from '../ids.js';
import { claimsOf, TOKEN_AUDIENCE, TOKEN_ISSUER } from './claims.js';
import { publicJwkOf, type KeyRing } from './key-ring.js';
import type { Principal } from './principal.js';

export { loadKeyRing, type KeyRing } from './key-ring.js';

/**
 * Signs access tokens for the auth service with the active key of its ring and publishes the
 * public keys (active and previous) that verifiers need, so tokens signed before a rotation stay
 * valid until they expire.
 */
export class TokenSigner {
  private constructor(
    private readonly signingKey: CryptoKey,
    readonly activeKid: string,
    private readonly jwks: JWK[],
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  static async create(
    ring: KeyRing,
    options: { issuer?: string; audience?: string } = {},
  ): Promise<TokenSigner> {
    const signingKey = (await importJWK(ring.active, 'EdDSA')) as CryptoKey;
    const jwks = [ring.active, ...ring.previous].map(publicJwkOf);
    return new TokenSigner(
      signingKey,
      ring.active.kid!,
      jwks,
      options.issuer ?? TOKEN_ISSUER,
      options.audience ?? TOKEN_AUDIENCE,
    );
  }

  /** A compact JWT naming the principal, valid for `ttlSeconds`. */
  async sign(principal: Principal, ttlSeconds: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claimsOf(principal) })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.activeKid, typ: 'JWT' })
      .setSubject(principal.userId)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .setJti(newId())
      .sign(this.signingKey);
  }

  /** The public keys to answer GetJwks with. */
  publicJwks(): JWK[] {
    return this.jwks.map((jwk) => ({ ...jwk }));
  }
}
