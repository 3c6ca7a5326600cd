import { generateKeyPair, exportJWK, SignJWT, type JWK, type CryptoKey } from 'jose';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../claims.js';
import type { Principal } from '../principal.js';

/** A real Ed25519 key pair for tests: the private key signs, the JWK is what a JWKS publishes. */
export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function testKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } };
}

export const customer: Principal = {
  userId: '0190f1f4-0000-7000-8000-000000000001',
  email: 'ada@example.com',
  roles: ['customer'],
  permissions: ['cart:own'],
};

export const admin: Principal = {
  userId: '0190f1f4-0000-7000-8000-000000000002',
  email: 'root@example.com',
  roles: ['admin'],
  permissions: [],
};

export interface TokenOverrides {
  kid?: string;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
}

/** A token as the auth service would sign it, with whatever the test wants wrong. */
export async function signToken(
  key: TestKey,
  principal: Principal,
  overrides: TokenOverrides = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: principal.email, roles: principal.roles, perms: principal.permissions })
    .setProtectedHeader({ alg: 'EdDSA', kid: overrides.kid ?? key.kid, typ: 'JWT' })
    .setSubject(principal.userId)
    .setIssuer(overrides.issuer ?? TOKEN_ISSUER)
    .setAudience(overrides.audience ?? TOKEN_AUDIENCE)
    .setIssuedAt(now - 120)
    .setExpirationTime(now + (overrides.expiresIn ?? 300))
    .sign(key.privateKey);
}
