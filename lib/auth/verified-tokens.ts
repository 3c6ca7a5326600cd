import type { Principal } from './principal.js';

interface Entry {
  principal: Principal;
  /** When the entry stops answering: the token's expiry, or sooner (`maxAgeMs` after it was verified). */
  validUntilMs: number;
}

/**
 * Tokens already verified, so that a client's next calls with the same token skip the signature
 * check (~0.1 ms of Ed25519 each). Keyed by the whole token string: only the identical credential
 * hits. An entry never outlives its token, nor `maxAgeMs`; the oldest entries go first when full.
 * The owner clears it when the signing keys change, so a retired key stops verifying at once.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (this.now() >= entry.validUntilMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  /**
   * Remembers a verified token whose `exp` claim is `expiresAtSeconds`; returns the principal as
   * every later call gets it, frozen through (its role and permission lists too): one handler
   * cannot change what the next call with the same token sees.
   */
  remember(token: string, principal: Principal, expiresAtSeconds: number): Principal {
    const validUntilMs = Math.min(expiresAtSeconds * 1000, this.now() + this.maxAgeMs);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const frozen = Object.freeze({
      ...principal,
      roles: Object.freeze([...principal.roles]) as string[],
      permissions: Object.freeze([...principal.permissions]) as string[],
    });
    this.entries.set(token, { principal: frozen, validUntilMs });
    return frozen;
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
